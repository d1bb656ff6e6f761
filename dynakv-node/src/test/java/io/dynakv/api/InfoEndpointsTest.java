package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The operator's endpoints: /membership, /health, /stats and /metrics. */
class InfoEndpointsTest extends NodeTestBase {

    /** Request metrics are recorded when a response ends, which may trail the client by a moment. */
    private static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void membership() {
        Http.Resp r = http.get("/membership").expect(200);
        assertThat(r.header("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode m = r.json();
        assertThat(m.get("nodes").size()).isEqualTo(1);
        JsonNode self = m.get("nodes").get(0);
        assertThat(self.get("address").asText()).isEqualTo("127.0.0.1:" + node.port());
        assertThat(self.get("status").asText()).isEqualTo("up");
        assertThat(self.get("incarnation").isIntegralNumber()).isTrue();
        assertThat(self.get("partitions").asInt()).isEqualTo(256);
        assertThat(self.get("node_id").asText()).isNotBlank();
        assertThat(m.get("active_count").asInt()).isEqualTo(1);
    }

    @Test
    void health() {
        Http.Resp r = http.get("/health").expect(200);
        JsonNode h = r.json();
        assertThat(h.get("status").asText()).isEqualTo("serving");
        assertThat(h.get("node_id").asText())
                .isEqualTo(http.get("/membership")
                        .json()
                        .get("nodes")
                        .get(0)
                        .get("node_id")
                        .asText());
    }

    @Test
    void statsCountRequestsByVerb() {
        long before = getCount();
        for (int i = 0; i < 5; i++) {
            http.get(CANARY_PATH).expect(200);
        }
        eventually(() -> getCount() >= before + 5, "stats count the 5 GETs");

        JsonNode stats = http.get("/stats").expect(200).json();
        for (String verb : new String[] {"get", "put", "delete", "patch", "list", "batch_get"}) {
            JsonNode v = stats.get("requests").get(verb);
            assertThat(v).as("requests.%s", verb).isNotNull();
            assertThat(v.get("count").isIntegralNumber()).isTrue();
            assertThat(v.get("errors").isIntegralNumber()).isTrue();
        }
        assertThat(stats.get("keys").isIntegralNumber()).isTrue();
        assertThat(stats.get("keys").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stats.get("disk_bytes").isIntegralNumber()).isTrue();
        assertThat(stats.get("disk_bytes").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(stats.get("fsync").asText()).isEqualTo("always");
        assertThat(stats.has("pending_hints")).isTrue();
        assertThat(stats.has("repairs")).isTrue();
        assertThat(stats.has("conflicts")).isTrue();
        assertThat(stats.has("diverged_versions")).isTrue();
    }

    @Test
    void statsCountErrorsApart() {
        long before = http.get("/stats")
                .json()
                .get("requests")
                .get("put")
                .get("errors")
                .asLong();
        http.put("/key/stats-bad", "not json").expectError(400, "invalid_json");
        eventually(
                () -> http.get("/stats")
                                .json()
                                .get("requests")
                                .get("put")
                                .get("errors")
                                .asLong()
                        >= before + 1,
                "stats count the failed PUT");
    }

    @Test
    void keysGrowWithWrites() {
        for (int i = 0; i < 20; i++) {
            put("/stats_table/key/k" + i, "1");
        }
        assertThat(http.get("/stats").json().get("keys").asLong()).isGreaterThanOrEqualTo(1);
    }

    private long getCount() {
        return http.get("/stats")
                .expect(200)
                .json()
                .get("requests")
                .get("get")
                .get("count")
                .asLong();
    }

    @Test
    void prometheusMetrics() {
        http.get(CANARY_PATH).expect(200);
        Http.Resp r = http.get("/metrics").expect(200);
        assertThat(r.header("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String text = r.text();
        assertThat(text).contains("dynakv_requests").contains("# TYPE").contains("verb=\"get\"");
        // Every non-comment line is "name{labels} value".
        text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> assertThat(l)
                .matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? \\S+"));
    }
}
