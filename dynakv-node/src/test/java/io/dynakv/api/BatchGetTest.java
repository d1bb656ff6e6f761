package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /{table}/keys} with {@code {"keys": [...]}}: found items in request order, and the missing. */
class BatchGetTest extends NodeTestBase {

    private static String keysBody(List<String> keys) {
        return "{\"keys\":" + Http.MAPPER.valueToTree(keys) + "}";
    }

    @Test
    void itemsInRequestOrderAndMissingListed() {
        String va = put("/batch/key/a", "{\"n\":1}");
        String vb = put("/batch/key/b", "[2]");
        String vc = put("/batch/key/c/with/slash", "\"three\"");
        put("/batch/key/deleted", "0");
        http.delete("/batch/key/deleted").expect(200);
        put("/elsewhere/key/x", "1");

        JsonNode answer = http.post("/batch/keys", keysBody(List.of("c/with/slash", "nope", "a", "deleted", "b", "x")))
                .expect(200)
                .json();
        JsonNode items = answer.get("items");
        assertThat(items.size()).isEqualTo(3);
        assertThat(items.get(0))
                .isEqualTo(Http.parse("{\"key\":\"c/with/slash\",\"value\":\"three\",\"version\":\"" + vc + "\"}"));
        assertThat(items.get(1))
                .isEqualTo(Http.parse("{\"key\":\"a\",\"value\":{\"n\":1},\"version\":\"" + va + "\"}"));
        assertThat(items.get(2)).isEqualTo(Http.parse("{\"key\":\"b\",\"value\":[2],\"version\":\"" + vb + "\"}"));
        assertThat(answer.get("missing")).isEqualTo(Http.parse("[\"nope\",\"deleted\",\"x\"]"));
    }

    @Test
    void consistencyLevelIsHonouredAndChecked() {
        put("/batch/key/r", "1");
        http.post("/batch/keys?r=one", "{\"keys\":[\"r\"]}").expect(200);
        http.post("/batch/keys?r=all", "{\"keys\":[\"r\"]}").expect(200);
        http.post("/batch/keys?r=2", "{\"keys\":[\"r\"]}").expectError(400, "invalid_consistency");
        http.post("/batch/keys?r=most", "{\"keys\":[\"r\"]}").expectError(400, "invalid_consistency");
    }

    @Test
    void defaultTableAndUnicodeKeys() {
        String v = put("/key/%C3%A9l%C3%A8ve", "1");
        JsonNode answer = http.post("/default/keys", "{\"keys\":[\"\u00e9l\u00e8ve\"]}")
                .expect(200)
                .json();
        assertThat(answer.get("items").get(0).get("key").asText()).isEqualTo("\u00e9l\u00e8ve");
        assertThat(answer.get("items").get(0).get("version").asText()).isEqualTo(v);
        assertThat(answer.get("missing")).isEmpty();
    }

    @Test
    void rawValuesComeAsBase64() {
        byte[] bytes = {0, (byte) 0xFF, 7};
        http.putBytes("/batch/key/raw", bytes, "Content-Type", "application/octet-stream")
                .expect(201);
        JsonNode item = http.post("/batch/keys", "{\"keys\":[\"raw\"]}")
                .expect(200)
                .json()
                .get("items")
                .get(0);
        assertThat(item.get("value").asText()).isEqualTo(Base64.getEncoder().encodeToString(bytes));
        assertThat(item.get("encoding").asText()).isEqualTo("base64");
    }

    @Test
    void emptyAndDuplicateKeys() {
        assertThat(http.post("/batch/keys", "{\"keys\":[]}").expect(200).json())
                .isEqualTo(Http.parse("{\"items\":[],\"missing\":[]}"));
        put("/batch/key/dup", "1");
        JsonNode answer = http.post("/batch/keys", "{\"keys\":[\"dup\",\"dup\"]}")
                .expect(200)
                .json();
        assertThat(answer.get("items").size()).isEqualTo(2);
    }

    @Test
    void thousandKeysAreAllowed() {
        List<String> keys = IntStream.range(0, 1000).mapToObj(i -> "many-" + i).collect(Collectors.toList());
        for (int i = 0; i < 1000; i += 100) {
            put("/batch/key/" + keys.get(i), String.valueOf(i));
        }
        JsonNode answer = http.post("/batch/keys", keysBody(keys)).expect(200).json();
        assertThat(answer.get("items").size()).isEqualTo(10);
        assertThat(answer.get("missing").size()).isEqualTo(990);
        List<String> found = new ArrayList<>();
        answer.get("items").forEach(item -> found.add(item.get("key").asText()));
        assertThat(found)
                .containsExactly(IntStream.range(0, 10)
                        .mapToObj(i -> "many-" + (i * 100))
                        .toArray(String[]::new));
    }

    @Test
    void moreThanThousandKeysAreRefused() {
        List<String> keys = IntStream.range(0, 1001).mapToObj(i -> "k" + i).collect(Collectors.toList());
        http.post("/batch/keys", keysBody(keys)).expectError(400, "too_many_keys");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "[\"ok\",null]", "[\"ok\",{\"k\":1}]", "[[\"nested\"]]", "[true]"})
    void nonStringKeysAreRefused(String keys) {
        http.post("/batch/keys", "{\"keys\":" + keys + "}").expectError(400, "invalid_key");
    }

    @Test
    void invalidKeysAreRefused() {
        http.post("/batch/keys", "{\"keys\":[\"\"]}").expectError(400, "invalid_key");
        http.post("/batch/keys", "{\"keys\":[\"" + "k".repeat(1025) + "\"]}").expectError(400, "invalid_key");
        http.post("/batch/keys", "{\"keys\":[\"" + "k".repeat(1024) + "\"]}").expect(200);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"keys\":[\"a\"]",
                "{\"keys\":[\"a\"]}x",
                "{\"keys\":[\"a\"],\"keys\":[\"b\"]}",
                "[\"a\"]",
                "\"a\"",
                "{}",
                "{\"keys\":\"a\"}",
                "{\"keys\":{\"a\":1}}",
                "{\"keys\":null}",
                "{\"keys\":[\"a\"],\"extra\":1}",
                "{\"Keys\":[\"a\"]}"
            })
    void malformedBodiesAreRefused(String body) {
        http.post("/batch/keys", body).expectError(400, "invalid_json");
    }

    @Test
    void deeplyNestedBodyIsRefused() {
        http.post("/batch/keys", "{\"keys\":" + "[".repeat(10_000)).expectError(400, "invalid_json");
    }
}
