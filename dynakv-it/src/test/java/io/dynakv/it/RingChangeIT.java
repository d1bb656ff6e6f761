package io.dynakv.it;

import static io.dynakv.it.ClusterHarness.addresses;
import static io.dynakv.it.ClusterHarness.allUp;
import static io.dynakv.it.ClusterHarness.awaitViews;
import static io.dynakv.it.ClusterHarness.oneRingHolding;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * Writes while the ring changes (issue 9 item 6, docs/ring-changes.md), with real processes: a
 * fourth node joins a 3-node cluster that holds enough data (about 30 MB) that its partition
 * streams take seconds, while every node, the joiner included from the moment it serves, takes a
 * bounded write load. During the streams a replica that holds a partition in the new ring but has
 * not streamed it cannot coordinate its writes, and forwarded writes used to reach it and fail
 * with 503; now it refuses them before minting and the forwarder tries the next replica.
 *
 * <p>Fault model: none; the join itself is the disturbance.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RingChangeIT {

    private static final int PRELOAD_KEYS = 3_000;
    private static final int PRELOAD_VALUE_BYTES = 10_000;

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void noWriteFailsWhileAFourthNodeJoins() throws Exception {
        List<NodeProcess> three = ClusterHarness.startSettled(nodes, 3, Map.of());
        Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
        preload(ClusterHarness.clients(three), acked);

        Map<String, WriteLoad.Ack> duringJoin = new ConcurrentHashMap<>();
        WriteLoad onOld = new WriteLoad(
                ClusterHarness.clients(three), "", "old", 3, Duration.ofSeconds(40), duringJoin, Set.of(), 0);
        onOld.start();
        NodeProcess n4 = nodes.startMember("n4", three.get(1), Map.of());
        WriteLoad onNew =
                new WriteLoad(List.of(n4.client()), "", "new", 2, Duration.ofSeconds(30), duringJoin, Set.of(), 0);
        onNew.start();
        List<NodeProcess> four = List.of(three.get(0), three.get(1), three.get(2), n4);
        awaitViews(
                four,
                allUp(addresses(four)).and(oneRingHolding(addresses(four))),
                "n4 up in every view, all at one ring epoch in which n4 holds partitions",
                n4.launchNanos(),
                Duration.ofSeconds(20));
        ClusterHarness.Waited streamed =
                ClusterHarness.awaitStreamsDone(List.of(n4), n4.launchNanos(), Duration.ofSeconds(120));
        boolean loadOutlivedStreams =
                System.nanoTime() < n4.launchNanos() + Duration.ofSeconds(30).toNanos();
        onOld.finish();
        onNew.finish();
        System.out.printf(
                Locale.ROOT,
                "[RingChangeIT] n4 streamed its partitions %s after launch; writes through n1-n3: %s;"
                        + " through n4: %s%n",
                streamed.formatted(),
                onOld.counts(),
                onNew.counts());

        for (WriteLoad load : List.of(onOld, onNew)) {
            List<String> failed = new ArrayList<>(load.unexpected);
            failed.addAll(load.noAnswer);
            assertThat(failed)
                    .as("writes during the join that got no 201: %s", load.counts())
                    .isEmpty();
            assertThat(load.acked.get()).isPositive();
        }
        assertThat(loadOutlivedStreams)
                .as("the write load ran for the whole stream (%s)", streamed.formatted())
                .isTrue();
        acked.putAll(duringJoin);
        Map<String, String> wrong = AckedReads.mismatches(three.get(0).client(), "r=all", acked, acked.keySet());
        assertThat(wrong)
                .as("acknowledged writes read back with r=all after the join:%n  %s", AckedReads.first(wrong, 20))
                .isEmpty();
        ClusterHarness.stopAll(four);
    }

    /** About 30 MB of values, so the joiner's streams last seconds; every write must be acknowledged. */
    private static void preload(List<KvClient> targets, Map<String, WriteLoad.Ack> acked) throws Exception {
        String pad = "p".repeat(PRELOAD_VALUE_BYTES);
        int threads = 6;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            KvClient client = targets.get(t % targets.size());
            tasks.add(() -> {
                for (int i = thread; i < PRELOAD_KEYS; i += threads) {
                    String key = "preload-" + i;
                    JsonNode value =
                            KvClient.MAPPER.createObjectNode().put("i", i).put("pad", pad);
                    KvClient.Response put = client.put(key, value);
                    if (put.status() != 201) {
                        throw new AssertionError("PUT " + key + " on a healthy cluster: " + put);
                    }
                    acked.put(key, new WriteLoad.Ack(value, put.version(), WriteLoad.Outcome.PRESENT));
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Future<Void> done : pool.invokeAll(tasks, 120, TimeUnit.SECONDS)) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
