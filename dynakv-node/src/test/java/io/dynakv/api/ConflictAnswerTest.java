package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A write that met a concurrent version says so in its answer (issue 9 item 9;
 * docs/concurrent-writes.md). On one node the write minted last always wins (its HLC has seen the
 * other), so these are the winner's answers; the loser's ({@code "superseded"}) needs two
 * coordinators and is covered by {@code ConcurrentWritesTest} and {@code ConcurrentWritesIT}.
 */
class ConflictAnswerTest extends NodeTestBase {

    private static final String CONTEXT = "X-DynaKV-Context";
    private static final String CONFLICT = "X-DynaKV-Conflict";

    @Test
    void aWriteThatMetNoConcurrentVersionKeepsTheSeedAnswer() {
        JsonNode put = http.put("/key/plain", Http.valueBody("1")).expect(201).json();
        assertThat(fieldNames(put)).containsExactly("key", "version");
        JsonNode deleted = http.delete("/key/plain").expect(200).json();
        assertThat(fieldNames(deleted)).containsExactly("key", "deleted", "version");
    }

    @Test
    void aPutFromAStaleContextSaysItOverwroteAConcurrentVersion() {
        long before = stat("writes_won_conflict");
        String v1 = http.put("/key/won", Http.valueBody("1")).expect(201).version();
        http.put("/key/won", Http.valueBody("2"), CONTEXT, v1).expect(201);

        Http.Resp third = http.put("/key/won", Http.valueBody("3"), CONTEXT, v1).expect(201);

        assertThat(third.header(CONFLICT)).hasValue("won");
        assertThat(third.json().get("conflict").asText()).isEqualTo("won");
        Http.Resp read = http.get("/key/won").expect(200);
        assertThat(read.json().get("value").asInt()).isEqualTo(3);
        assertThat(third.json().get("kept_version").asText()).isEqualTo(read.version());
        assertThat(third.json().has("deleted")).isFalse();
        assertThat(stat("writes_won_conflict")).isEqualTo(before + 1);
    }

    @Test
    void aDeleteFromAStaleContextSaysItOverwroteAConcurrentWrite() {
        String v1 = http.put("/key/delete-won", Http.valueBody("1")).expect(201).version();
        http.put("/key/delete-won", Http.valueBody("2"), CONTEXT, v1).expect(201);

        Http.Resp deleted = http.delete("/key/delete-won", CONTEXT, v1).expect(200);

        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(deleted.json().get("conflict").asText()).isEqualTo("won");
        assertThat(deleted.header(CONFLICT)).hasValue("won");
        http.get("/key/delete-won").expectError(404, "not_found");
    }

    @Test
    void aPatchAnswersWithWhatTheKeyHolds() {
        http.put("/key/patched", Http.valueBody("{\"a\":1}")).expect(201);

        Http.Resp patched = http.patch("/key/patched", "{\"b\":2}").expect(200);

        assertThat(fieldNames(patched.json())).containsExactly("key", "value", "version");
        assertThat(patched.json().get("value")).isEqualTo(Http.parse("{\"a\":1,\"b\":2}"));
        assertThat(patched.header(CONFLICT)).isEmpty();
        assertThat(http.get("/key/patched").expect(200).version()).isEqualTo(patched.version());
    }

    private long stat(String name) {
        return http.get("/stats").expect(200).json().get(name).asLong();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
