package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A restarted node finds its data and its identity in its data directory (DESIGN section 1). */
@Timeout(60)
class RestartTest {

    @Test
    void dataVersionsAndNodeIdSurviveARestart(@TempDir Path dataDir) {
        Map<String, String> versions = new LinkedHashMap<>();
        String nodeId;
        String rawVersion;
        String deletedVersion;
        try (TestNode first = TestNode.start(dataDir, List.of())) {
            Http http = first.http();
            for (int i = 0; i < 100; i++) {
                String key = "k" + i;
                versions.put(
                        key,
                        http.put("/r/key/" + key, Http.valueBody("{\"i\":" + i + "}"))
                                .expect(201)
                                .version());
            }
            rawVersion = http.putBytes(
                            "/key/raw", new byte[] {0, (byte) 0xFF}, "Content-Type", "application/octet-stream")
                    .expect(201)
                    .version();
            http.put("/key/gone", Http.valueBody("1")).expect(201);
            deletedVersion = http.delete("/key/gone").expect(200).version();
            nodeId = http.get("/health").expect(200).json().get("node_id").asText();
        }

        try (TestNode second = TestNode.start(dataDir, List.of())) {
            Http http = second.http();
            assertThat(http.get("/health").expect(200).json().get("node_id").asText())
                    .isEqualTo(nodeId);
            for (int i = 0; i < 100; i++) {
                String key = "k" + i;
                Http.Resp r = http.get("/r/key/" + key).expect(200).expectEtag(versions.get(key));
                JsonNode body = r.json();
                assertThat(body.get("value").get("i").asInt()).isEqualTo(i);
                assertThat(body.get("version").asText()).isEqualTo(versions.get(key));
            }
            assertThat(http.get("/key/raw", "Accept", "application/octet-stream")
                            .expect(200)
                            .expectEtag(rawVersion)
                            .body())
                    .containsExactly(0, 0xFF);
            http.get("/key/gone").expectError(404, "not_found");
            assertThat(http.get("/r/keys?limit=1000")
                            .expect(200)
                            .json()
                            .get("keys")
                            .size())
                    .isEqualTo(100);

            // Writes continue the causal history from before the restart.
            String next = http.put("/r/key/k0", Http.valueBody("\"after\""), "X-DynaKV-Context", versions.get("k0"))
                    .expect(201)
                    .version();
            assertThat(next).isNotEqualTo(versions.get("k0"));
            String recreated = http.put("/key/gone", Http.valueBody("2"), "X-DynaKV-Context", deletedVersion)
                    .expect(201)
                    .version();
            assertThat(recreated).isNotEqualTo(deletedVersion);
        }
    }
}
