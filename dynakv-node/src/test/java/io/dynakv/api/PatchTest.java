package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** PATCH is a JSON Merge Patch (RFC 7396) of the stored value. */
class PatchTest extends NodeTestBase {

    private static final AtomicInteger NEXT = new AtomicInteger();

    /** RFC 7396 Appendix A, every example: original, patch, result. */
    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{\"a\":\"b\"} | {\"a\":\"c\"} | {\"a\":\"c\"}",
                "{\"a\":\"b\"} | {\"b\":\"c\"} | {\"a\":\"b\",\"b\":\"c\"}",
                "{\"a\":\"b\"} | {\"a\":null} | {}",
                "{\"a\":\"b\",\"b\":\"c\"} | {\"a\":null} | {\"b\":\"c\"}",
                "{\"a\":[\"b\"]} | {\"a\":\"c\"} | {\"a\":\"c\"}",
                "{\"a\":\"c\"} | {\"a\":[\"b\"]} | {\"a\":[\"b\"]}",
                "{\"a\":{\"b\":\"c\"}} | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
                "{\"a\":[{\"b\":\"c\"}]} | {\"a\":[1]} | {\"a\":[1]}",
                "[\"a\",\"b\"] | [\"c\",\"d\"] | [\"c\",\"d\"]",
                "{\"a\":\"b\"} | [\"c\"] | [\"c\"]",
                "{\"a\":\"foo\"} | null | null",
                "{\"a\":\"foo\"} | \"bar\" | \"bar\"",
                "{\"e\":null} | {\"a\":1} | {\"e\":null,\"a\":1}",
                "[1,2] | {\"a\":\"b\",\"c\":null} | {\"a\":\"b\"}",
                "{} | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}"
            })
    void rfc7396AppendixA(String original, String patch, String result) {
        String path = "/key/rfc-" + NEXT.incrementAndGet();
        String v1 = put(path, original);
        Http.Resp patched = http.patch(path, patch, "Content-Type", "application/merge-patch+json")
                .expect(200);
        JsonNode body = patched.json();
        assertThat(body.get("value")).isEqualTo(Http.parse(result));
        assertThat(body.get("key").asText()).isEqualTo(path.substring("/key/".length()));
        String v2 = body.get("version").asText();
        assertThat(v2).isNotEqualTo(v1);
        patched.expectEtag(v2);
        assertStored(path, result, v2);
    }

    @Test
    void patchWithoutContentTypeOrWithJson() {
        put("/key/ct", "{\"a\":1}");
        http.patch("/key/ct", "{\"b\":2}").expect(200);
        String v = http.patch("/key/ct", "{\"c\":3}", "Content-Type", "application/json")
                .expect(200)
                .version();
        assertStored("/key/ct", "{\"a\":1,\"b\":2,\"c\":3}", v);
    }

    @Test
    void patchOfAMissingKeyCreatesIt() {
        Http.Resp patched =
                http.patch("/key/patch-new", "{\"a\":{\"b\":1,\"gone\":null}}").expect(200);
        assertThat(patched.json().get("value")).isEqualTo(Http.parse("{\"a\":{\"b\":1}}"));
        assertStored("/key/patch-new", "{\"a\":{\"b\":1}}", patched.version());
    }

    @Test
    void patchOfADeletedKeyStartsFromNothing() {
        put("/key/patch-deleted", "{\"old\":true}");
        http.delete("/key/patch-deleted").expect(200);
        Http.Resp patched = http.patch("/key/patch-deleted", "{\"new\":true}").expect(200);
        assertStored("/key/patch-deleted", "{\"new\":true}", patched.version());
    }

    @Test
    void patchesAccumulate() {
        put("/t9/key/acc", "{}");
        String version = null;
        for (int i = 0; i < 10; i++) {
            version = http.patch("/t9/key/acc", "{\"f" + i + "\":" + i + "}")
                    .expect(200)
                    .version();
        }
        assertStored(
                "/t9/key/acc",
                "{\"f0\":0,\"f1\":1,\"f2\":2,\"f3\":3,\"f4\":4,\"f5\":5,\"f6\":6,\"f7\":7," + "\"f8\":8,\"f9\":9}",
                version);
    }

    @Test
    void numbersArePatchedAndKeptExactly() {
        put("/key/patch-numbers", "{\"a\":0.1000000000000000000000001,\"b\":1e400}");
        http.patch("/key/patch-numbers", "{\"c\":-1e-400,\"d\":12345678901234567890.25}")
                .expect(200);
        String stored = http.get("/key/patch-numbers", "Accept", "application/octet-stream")
                .expect(200)
                .text();
        JsonNode value = Http.parseExact(stored);
        String[][] expected = {
            {"a", "0.1000000000000000000000001"}, {"b", "1e400"}, {"c", "-1e-400"}, {"d", "12345678901234567890.25"}
        };
        for (String[] field : expected) {
            assertThat(value.get(field[0]).isNumber())
                    .as("%s in %s", field[0], stored)
                    .isTrue();
            assertThat(value.get(field[0]).decimalValue())
                    .as("%s in %s", field[0], stored)
                    .isEqualByComparingTo(new BigDecimal(field[1]));
        }
    }

    @Test
    void patchOfRawBytesIsAConflict() {
        String v1 = http.putBytes(
                        "/key/patch-raw", new byte[] {0, 1, (byte) 0xFF}, "Content-Type", "application/octet-stream")
                .expect(201)
                .version();
        http.patch("/key/patch-raw", "{\"a\":1}").expectError(409, "not_json");
        Http.Resp raw =
                http.get("/key/patch-raw", "Accept", "application/octet-stream").expect(200);
        assertThat(raw.body()).containsExactly(0, 1, 0xFF);
        raw.expectEtag(v1);
    }

    /** Found by fuzzing (merge-patch): an exponent past BigDecimal's int scale was a 500. */
    @Test
    void patchWithANumberBeyondExactDecimalsIsABadRequest() {
        String v1 = put("/key/patch-huge-exponent", "{\"a\":1}");
        http.patch("/key/patch-huge-exponent", "{\"a\":1E8888888888888}").expectError(400, "invalid_json");
        assertStored("/key/patch-huge-exponent", "{\"a\":1}", v1);
    }

    /** A PUT stores such a number as its text; a PATCH cannot merge it exactly, so it refuses. */
    @Test
    void patchOfAStoredNumberBeyondExactDecimalsIsAConflict() {
        String v1 = put("/key/patch-stored-huge-exponent", "{\"a\":1E8888888888888}");
        http.patch("/key/patch-stored-huge-exponent", "{\"b\":2}").expectError(409, "not_mergeable");
        assertStored("/key/patch-stored-huge-exponent", "{\"a\":1E8888888888888}", v1);
    }

    @Test
    void octetStreamPatchIsUnsupported() {
        String v1 = put("/key/patch-415", "{\"a\":1}");
        http.patch("/key/patch-415", "{\"b\":2}", "Content-Type", "application/octet-stream")
                .expectError(415, "unsupported_media_type");
        assertStored("/key/patch-415", "{\"a\":1}", v1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"a\":}",
                "{\"a\":1}x",
                "{\"a\":1} {\"b\":2}",
                "{\"a\":1,\"a\":2}",
                "{'a':1}",
                "nul",
                "{\"a\":NaN}"
            })
    void invalidJsonPatchIsRefused(String patch) {
        String v1 = put("/key/patch-bad", "{\"a\":1}");
        http.patch("/key/patch-bad", patch).expectError(400, "invalid_json");
        assertStored("/key/patch-bad", "{\"a\":1}", v1);
    }

    @Test
    void deeplyNestedPatchIsRefused() {
        String v1 = put("/key/patch-deep", "{\"a\":1}");
        http.patch("/key/patch-deep", "[".repeat(10_000)).expectError(400, "invalid_json");
        http.patch("/key/patch-deep", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000))
                .expectError(400, "invalid_json");
        assertStored("/key/patch-deep", "{\"a\":1}", v1);
    }

    @Test
    void badConsistencyOnPatchIsRefused() {
        String v1 = put("/key/patch-w", "{\"a\":1}");
        http.patch("/key/patch-w?w=abc", "{\"b\":2}").expectError(400, "invalid_consistency");
        http.patch("/key/patch-w?r=0", "{\"b\":2}").expectError(400, "invalid_consistency");
        assertStored("/key/patch-w", "{\"a\":1}", v1);
        String v2 =
                http.patch("/key/patch-w?r=one&w=all", "{\"b\":2}").expect(200).version();
        assertStored("/key/patch-w", "{\"a\":1,\"b\":2}", v2);
    }
}
