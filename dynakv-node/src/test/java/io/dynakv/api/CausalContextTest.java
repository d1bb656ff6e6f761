package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code version} token (also the ETag) is the causal context a client hands back with a
 * write, in the {@code X-DynaKV-Context} header or the body's {@code "context"} field.
 */
class CausalContextTest extends NodeTestBase {

    private static final String HEADER = "X-DynaKV-Context";

    @Test
    void everyWriteHasANewVersionAndTheEtagIsTheQuotedVersion() {
        Set<String> versions = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Http.Resp put =
                    http.put("/key/versions", Http.valueBody("\"same\"")).expect(201);
            String version = put.version();
            put.expectEtag(version);
            http.get("/key/versions").expect(200).expectEtag(version);
            assertThat(versions.add(version)).as("version %s is new", version).isTrue();
        }
        String deleted = http.delete("/key/versions").expect(200).version();
        assertThat(versions).doesNotContain(deleted);
    }

    @Test
    void contextInTheHeaderMakesASuccessor() {
        String v1 = put("/key/h", "1");
        Http.Resp put = http.put("/key/h", Http.valueBody("2"), HEADER, v1).expect(201);
        String v2 = put.version();
        put.expectEtag(v2);
        assertThat(v2).isNotEqualTo(v1);
        assertStored("/key/h", "2", v2);
    }

    @Test
    void contextInTheBodyMakesASuccessor() {
        String v1 = put("/key/b", "1");
        String v2 = http.put("/key/b", "{\"value\":2,\"context\":\"" + v1 + "\"}")
                .expect(201)
                .version();
        assertThat(v2).isNotEqualTo(v1);
        assertStored("/key/b", "2", v2);
    }

    @Test
    void theEtagAsSentBackQuotedIsAContext() {
        String v1 = put("/key/etag", "1");
        String etag = http.get("/key/etag").expect(200).header("etag").orElseThrow();
        String v2 = http.put("/key/etag", Http.valueBody("2"), HEADER, etag)
                .expect(201)
                .version();
        assertStored("/key/etag", "2", v2);
        assertThat(v2).isNotEqualTo(v1);
    }

    @Test
    void sameContextInHeaderAndBodyIsFine() {
        String v1 = put("/key/both", "1");
        String v2 = http.put("/key/both", "{\"value\":2,\"context\":\"" + v1 + "\"}", HEADER, v1)
                .expect(201)
                .version();
        assertStored("/key/both", "2", v2);
    }

    @Test
    void headerAndBodyThatDifferAreRefused() {
        String v1 = put("/key/differ", "1");
        String v2 = http.put("/key/differ", Http.valueBody("2"), HEADER, v1)
                .expect(201)
                .version();
        http.put("/key/differ", "{\"value\":3,\"context\":\"" + v1 + "\"}", HEADER, v2)
                .expectError(400, "invalid_context");
        assertStored("/key/differ", "2", v2);
    }

    @Test
    void aWriteFromAStaleContextIsAcceptedAndTheNewestWins() {
        String v1 = put("/key/stale", "1");
        String v2 = put("/key/stale", "2"); // no context: a blind overwrite
        String v3 = http.put("/key/stale", Http.valueBody("3"), HEADER, v1)
                .expect(201)
                .version();
        assertThat(v3).isNotEqualTo(v1).isNotEqualTo(v2);
        // Concurrent with v2: resolved by the newest clock. The stored version may merge both
        // histories, so it need not be the token the PUT returned; it is the ETag of reads.
        Http.Resp read = http.get("/key/stale").expect(200);
        assertThat(read.json().get("value").asInt()).isEqualTo(3);
        read.expectEtag(read.version());
        String v4 = http.put("/key/stale", Http.valueBody("4"), HEADER, read.version())
                .expect(201)
                .version();
        assertStored("/key/stale", "4", v4);
    }

    static String[] garbageContexts() {
        byte[] wrongFormat = new byte[12];
        wrongFormat[0] = 9;
        return new String[] {
            "garbage",
            "!!!",
            "AAAA",
            "\"\"",
            "not base64 at all",
            Base64.getUrlEncoder().withoutPadding().encodeToString(wrongFormat),
            Base64.getUrlEncoder().encodeToString("x".getBytes(StandardCharsets.UTF_8)),
            "A".repeat(10_000)
        };
    }

    @Test
    void garbageContextInTheHeaderIsRefused() {
        String v1 = put("/key/garbage-h", "1");
        for (String context : garbageContexts()) {
            http.put("/key/garbage-h", Http.valueBody("2"), HEADER, context).expectError(400, "invalid_context");
            http.delete("/key/garbage-h", HEADER, context).expectError(400, "invalid_context");
        }
        assertStored("/key/garbage-h", "1", v1);
    }

    @Test
    void garbageContextInTheBodyIsRefused() {
        String v1 = put("/key/garbage-b", "1");
        for (String context : garbageContexts()) {
            String body = "{\"value\":2,\"context\":" + Http.MAPPER.valueToTree(context) + "}";
            http.put("/key/garbage-b", body).expectError(400, "invalid_context");
        }
        assertStored("/key/garbage-b", "1", v1);
    }

    @Test
    void paddedOrExtendedVersionIsRefused() {
        String v1 = put("/key/tamper", "1");
        // Padding is not canonical: refused.
        http.put("/key/tamper", Http.valueBody("2"), HEADER, v1 + "=").expectError(400, "invalid_context");
        http.put("/key/tamper", Http.valueBody("2"), HEADER, v1 + "A").expectError(400, "invalid_context");
        assertStored("/key/tamper", "1", v1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "null", "true", "{}", "[\"x\"]"})
    void nonStringContextFieldIsRefused(String context) {
        String v1 = put("/key/ctx-type", "1");
        http.put("/key/ctx-type", "{\"value\":2,\"context\":" + context + "}").expectError(400, "invalid_json");
        assertStored("/key/ctx-type", "1", v1);
    }

    @Test
    void deleteWithContextAndPutAfterIt() {
        String v1 = put("/key/del-ctx", "1");
        String tombstone = http.delete("/key/del-ctx", HEADER, v1).expect(200).version();
        http.get("/key/del-ctx").expectError(404, "not_found");
        String v3 = http.put("/key/del-ctx", Http.valueBody("3"), HEADER, tombstone)
                .expect(201)
                .version();
        assertStored("/key/del-ctx", "3", v3);
    }

    @Test
    void patchReturnsTheNewVersionAsEtag() {
        put("/key/patched", "{\"a\":1}");
        Http.Resp patch = http.patch("/key/patched", "{\"b\":2}").expect(200);
        String version = patch.version();
        patch.expectEtag(version);
        assertStored("/key/patched", "{\"a\":1,\"b\":2}", version);
    }
}
