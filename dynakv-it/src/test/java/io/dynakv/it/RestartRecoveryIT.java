package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A clean stop and restart keeps everything (DESIGN section 1, "SIGTERM shuts down cleanly" and "a
 * restarted node finds its data"): every acknowledged write is read back with the same value and
 * version, deleted keys stay deleted (section 2, "Deletes stay deleted"), and the node keeps its id.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RestartRecoveryIT {

    private static final int KEYS = 1_000;

    private static final int WRITERS = 4;

    @RegisterExtension
    final Nodes nodes = new Nodes();

    /** What a key must read as: a value and version, or deleted (404). */
    record Expected(JsonNode value, String version, boolean deleted) {}

    @Test
    void acknowledgedWritesAndDeletesSurviveSigtermAndRestart() throws Exception {
        NodeProcess node = nodes.start("n1");
        String nodeId = node.nodeId();
        Map<String, Expected> expected = writeAll(node.client());
        long deleted = expected.values().stream().filter(Expected::deleted).count();
        System.out.printf(
                Locale.ROOT, "[RestartRecoveryIT] %d keys written, %d of them deleted%n", expected.size(), deleted);

        assertThat(verify(node.client(), expected))
                .as("reads before the restart; %s", node.describe())
                .isEmpty();

        assertThat(node.terminate())
                .as("exit code after SIGTERM; %s", node.describe())
                .isZero();
        node.restart();

        assertThat(node.nodeId())
                .as("node_id after restart; %s", node.describe())
                .isEqualTo(nodeId);
        assertThat(verify(node.client(), expected))
                .as("reads after SIGTERM and restart; %s", node.describe())
                .isEmpty();
        assertThat(node.terminate())
                .as("exit code after the second SIGTERM; %s", node.describe())
                .isZero();
    }

    /**
     * Writes every key from a few threads: each key is put once, some twice, some deleted, and some
     * of those put again. Returns what each key must read as afterwards.
     */
    private static Map<String, Expected> writeAll(KvClient client) throws Exception {
        Map<String, Expected> expected = new ConcurrentHashMap<>();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            tasks.add(() -> {
                for (int i = writer; i < KEYS; i += WRITERS) {
                    writeKey(client, i, expected);
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            for (Future<Void> done : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                done.get(); // rethrows a writer's failure; a cancelled (timed out) task throws too
            }
        } finally {
            pool.shutdownNow();
        }
        return expected;
    }

    private static void writeKey(KvClient client, int i, Map<String, Expected> expected)
            throws IOException, InterruptedException {
        String key = key(i);
        JsonNode value = value(i, 0);
        expected.put(key, new Expected(value, put(client, key, value), false));
        if (i % 10 == 3) {
            JsonNode second = value(i, 1);
            expected.put(key, new Expected(second, put(client, key, second), false));
        }
        if (i % 7 == 0) {
            KvClient.Response response = client.delete(key);
            assertThat(response.status()).as("DELETE %s: %s", key, response).isEqualTo(200);
            assertThat(response.json().path("deleted").asBoolean())
                    .as("DELETE %s: %s", key, response)
                    .isTrue();
            expected.put(key, new Expected(null, response.version(), true));
            if (i % 49 == 0) {
                JsonNode again = value(i, 2);
                expected.put(key, new Expected(again, put(client, key, again), false));
            }
        }
    }

    private static String put(KvClient client, String key, JsonNode value) throws IOException, InterruptedException {
        KvClient.Response response = client.put(key, value);
        assertThat(response.status()).as("PUT %s: %s", key, response).isEqualTo(201);
        assertThat(response.json().path("key").asText())
                .as("PUT %s: %s", key, response)
                .isEqualTo(key);
        String version = response.version();
        assertThat(version).as("PUT %s: %s", key, response).isNotBlank();
        return version;
    }

    /** Reads every key; returns one line per key that does not read as expected (at most 20). */
    private static List<String> verify(KvClient client, Map<String, Expected> expected)
            throws IOException, InterruptedException {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, Expected> entry : expected.entrySet()) {
            String key = entry.getKey();
            Expected want = entry.getValue();
            KvClient.Response got = client.get(key);
            checked++;
            if (want.deleted()) {
                if (got.status() != 404) {
                    wrong.add("deleted key '" + key + "' reads as " + got);
                }
            } else if (got.status() != 200) {
                wrong.add("key '" + key + "' reads as " + got + ", expected version " + want.version());
            } else {
                JsonNode json = got.json();
                if (!key.equals(json.path("key").asText())
                        || !want.value().equals(json.get("value"))
                        || !want.version().equals(json.path("version").asText())) {
                    wrong.add("key '" + key + "' reads as " + got + ", expected value " + want.value() + " version "
                            + want.version());
                }
            }
            if (wrong.size() >= 20) {
                wrong.add("(stopped after 20 wrong of " + checked + " checked)");
                break;
            }
        }
        return wrong;
    }

    /** Mostly plain keys; some with a slash, a space and non-ASCII text, which travel percent-encoded. */
    static String key(int i) {
        if (i % 50 == 0) {
            return "dir/sub key \u00fc " + i;
        }
        if (i % 50 == 25) {
            return "\u043a\u043b\u044e\u0447-" + i + "-\ud83d\ude00";
        }
        return String.format(Locale.ROOT, "k-%04d", i);
    }

    /**
     * Mixed JSON: objects, arrays, strings with escapes and non-BMP text, ints, longs, decimals,
     * booleans, null and a 4 KiB string. Round-tripped through text so that the expected tree has
     * the node types a parse of the answer gives (IntNode, not LongNode, for small numbers).
     */
    static JsonNode value(int i, int variant) {
        int n = i * 10 + variant;
        String json =
                switch (i % 9) {
                    case 0 -> "{\"i\":" + n + ",\"name\":\"n-" + n + "\",\"nested\":{\"list\":[1,2.5,\"x\",null,true],"
                            + "\"empty\":{},\"none\":[]}}";
                    case 1 -> "[" + n + ",\"a\",false,null,{\"k\":" + n + "}]";
                    case 2 -> "\"s-" + n + " \\u00e9 \\ud83d\\ude00 \\\"quoted\\\" \\\\ \\n\\t\"";
                    case 3 -> Long.toString(n * 1_000_003L);
                    case 4 -> Long.toString(Long.MAX_VALUE - n);
                    case 5 -> n + ".25";
                    case 6 -> Boolean.toString(n % 2 == 0);
                    case 7 -> variant == 0 ? "null" : "-" + n;
                    default -> "\"" + "x".repeat(4096) + n + "\"";
                };
        try {
            return KvClient.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("bad test value " + json, e);
        }
    }
}
