package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many clients at once, over keys spread across every event loop, with fsync=always. */
class ConcurrencyTest extends NodeTestBase {

    static final int THREADS = 16;
    static final int PUTS_PER_THREAD = 200;

    private static <T> List<T> runAll(int threads, java.util.function.IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> task.apply(thread)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentPutsToDistinctKeysAreAllStored() throws Exception {
        Map<String, String> versions = new ConcurrentHashMap<>();
        runAll(THREADS, t -> {
            for (int i = 0; i < PUTS_PER_THREAD; i++) {
                String key = "t" + t + "-k" + i;
                String body = Http.valueBody("{\"t\":" + t + ",\"i\":" + i + "}");
                versions.put(
                        key, http.put("/conc_puts/key/" + key, body).expect(201).version());
            }
            return null;
        });
        assertThat(versions).hasSize(THREADS * PUTS_PER_THREAD);
        assertThat(new HashSet<>(versions.values())).hasSize(THREADS * PUTS_PER_THREAD);

        runAll(THREADS, t -> {
            for (int i = 0; i < PUTS_PER_THREAD; i++) {
                String key = "t" + t + "-k" + i;
                JsonNode got = http.get("/conc_puts/key/" + key).expect(200).json();
                assertThat(got.get("value").get("t").asInt()).isEqualTo(t);
                assertThat(got.get("value").get("i").asInt()).isEqualTo(i);
                assertThat(got.get("version").asText()).isEqualTo(versions.get(key));
            }
            return null;
        });

        Set<String> listed = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = http.get("/conc_puts/keys?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor))
                    .expect(200)
                    .json();
            page.get("keys").forEach(k -> assertThat(listed.add(k.asText())).isTrue());
            cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
        } while (cursor != null);
        Set<String> missing = new HashSet<>(versions.keySet());
        missing.removeAll(listed);
        Set<String> extra = new HashSet<>(listed);
        extra.removeAll(versions.keySet());
        assertThat(missing).as("written but not listed").isEmpty();
        assertThat(extra).as("listed but never written").isEmpty();
    }

    @Test
    void concurrentPatchesOfOneKeyAreAppliedOneAfterAnother() throws Exception {
        put("/conc/key/patched", "{}");
        int threads = 8;
        int perThread = 25;
        runAll(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                http.patch("/conc/key/patched", "{\"f" + t + "_" + i + "\":" + i + "}")
                        .expect(200);
            }
            return null;
        });
        JsonNode value = http.get("/conc/key/patched").expect(200).json().get("value");
        assertThat(value.size()).isEqualTo(threads * perThread);
    }

    @Test
    void concurrentWritesToOneKeyLeaveOneOfTheWrittenValues() throws Exception {
        int threads = 8;
        List<Set<String>> written = runAll(threads, t -> {
            Set<String> mine = new HashSet<>();
            for (int i = 0; i < 25; i++) {
                String value = "\"" + t + "-" + i + "\"";
                http.put("/conc/key/contended", Http.valueBody(value)).expect(201);
                mine.add(value);
            }
            return mine;
        });
        Set<JsonNode> all = new HashSet<>();
        written.forEach(s -> s.forEach(v -> all.add(Http.parse(v))));
        JsonNode got = http.get("/conc/key/contended").expect(200).json();
        assertThat(all).contains(got.get("value"));
        // Reads agree with each other once the writes are over.
        assertThat(http.get("/conc/key/contended").json()).isEqualTo(got);
    }
}
