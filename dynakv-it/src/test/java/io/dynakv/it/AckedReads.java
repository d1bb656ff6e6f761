package io.dynakv.it;

import io.dynakv.common.CausalContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads acknowledged writes back from a cluster, either through a coordinator ({@code r=...}, or
 * the default) or from one node's own replica ({@code local=true}, no coordination), and reports
 * every key that does not show its acknowledged write.
 *
 * <p>A key shows its write when it reads with the acknowledged version or a later one: a version
 * whose causal history contains the acknowledged one (Dynamo section 4.4). The version token is
 * {@link CausalContext}'s, so the test decodes it with the node's own class. With the acknowledged
 * version itself, the value must be the acknowledged value too.
 */
final class AckedReads {

    /** Readers per read-back: enough to keep a node busy on 2 cores, few enough to leave it room. */
    static final int READERS = 4;

    private static final Duration ROUND_PAUSE = Duration.ofMillis(200);

    private AckedReads() {}

    /** True when {@code got} is {@code acked} or a causal successor of it. */
    static boolean atOrAfter(String got, String acked) {
        if (got == null || acked == null) {
            return false;
        }
        if (got.equals(acked)) {
            return true;
        }
        Optional<CausalContext> gotContext = CausalContext.parseToken(got);
        Optional<CausalContext> ackedContext = CausalContext.parseToken(acked);
        return gotContext.isPresent()
                && ackedContext.isPresent()
                && gotContext.get().clock().descends(ackedContext.get().clock());
    }

    /**
     * Reads {@code keys} with {@code query} through {@code client} and returns, sorted by key, what
     * was wrong with each key that does not show its acknowledged operation (empty: all fine).
     */
    static Map<String, String> mismatches(
            KvClient client, String query, Map<String, WriteLoad.Ack> acked, Collection<String> keys)
            throws InterruptedException {
        List<String> todo = new ArrayList<>(keys);
        Map<String, String> wrong = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            Thread thread = new Thread(
                    () -> {
                        for (int i = reader; i < todo.size(); i += READERS) {
                            String key = todo.get(i);
                            String problem = problem(client, query, key, acked.get(key));
                            if (problem != null) {
                                wrong.put(key, problem);
                            }
                        }
                    },
                    "read-back-" + r);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            if (thread.isAlive()) {
                thread.interrupt();
                throw new AssertionError(thread.getName() + " did not finish reading back " + todo.size() + " keys");
            }
        }
        return new TreeMap<>(wrong);
    }

    /** What polling a node until it holds every key found: how long it took, and what was still missing. */
    record CatchUp(long elapsedNanos, int rounds, Map<String, String> missing) {

        boolean complete() {
            return missing.isEmpty();
        }

        String formatted() {
            return String.format(Locale.ROOT, "%.2f s", elapsedNanos / 1e9);
        }
    }

    /**
     * Reads every acknowledged key from {@code node}'s own replica ({@code local=true}), again and
     * again (each round only the keys still missing), until all are there at their acknowledged
     * version or later, or {@code sinceNanos + bound} passes. Reading {@code local=true} repairs
     * nothing, so only the node's own catch-up (hint replay, anti-entropy) can make it pass.
     */
    static CatchUp awaitReplica(NodeProcess node, Map<String, WriteLoad.Ack> acked, long sinceNanos, Duration bound)
            throws InterruptedException {
        KvClient client = node.client();
        long deadline = sinceNanos + bound.toNanos();
        Collection<String> todo = acked.keySet();
        Map<String, String> missing = Map.of();
        int maxRounds = (int) (bound.toMillis() / ROUND_PAUSE.toMillis()) + 10;
        for (int round = 1; round <= maxRounds; round++) {
            missing = mismatches(client, "local=true", acked, todo);
            long now = System.nanoTime();
            if (missing.isEmpty() || now > deadline) {
                return new CatchUp(now - sinceNanos, round, missing);
            }
            todo = new ArrayList<>(missing.keySet());
            NodeProcess.sleep(ROUND_PAUSE);
        }
        return new CatchUp(System.nanoTime() - sinceNanos, maxRounds, missing);
    }

    /** The first {@code limit} entries of a mismatch map, one per line, for an assertion message. */
    static String first(Map<String, String> wrong, int limit) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> entry : wrong.entrySet()) {
            if (lines.size() == limit) {
                lines.add("... and " + (wrong.size() - limit) + " more");
                break;
            }
            lines.add(entry.getValue());
        }
        return String.join("\n  ", lines);
    }

    /** Null when {@code key} reads as {@code ack} promises; otherwise what was read. */
    private static String problem(KvClient client, String query, String key, WriteLoad.Ack ack) {
        KvClient.Response got;
        try {
            got = client.get(key, query);
        } catch (IOException e) {
            return "GET " + key + "?" + query + " failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        String expected = key + " (acknowledged " + ack.outcome() + " version " + ack.version() + ")";
        if (got.status() == 404 && ack.outcome() != WriteLoad.Outcome.PRESENT) {
            return null;
        }
        if (ack.outcome() == WriteLoad.Outcome.DELETED) {
            return expected + " reads as " + got;
        }
        if (got.status() != 200) {
            return expected + " reads as " + got;
        }
        String version = got.version();
        if (!atOrAfter(version, ack.version())) {
            return expected + " reads as an older or concurrent version: " + got;
        }
        if (version.equals(ack.version()) && !ack.value().equals(got.json().get("value"))) {
            return expected + " = " + ack.value() + " reads with that version but another value: " + got;
        }
        return null;
    }
}
