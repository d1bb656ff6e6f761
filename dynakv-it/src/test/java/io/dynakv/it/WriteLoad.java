package io.dynakv.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Client threads that write unique keys (so each key has exactly one acknowledged version) for a
 * bounded time and count, recording every write that got a 201, and delete some of the keys they
 * wrote, recording every delete that got a 200. A refused or reset connection is not an
 * acknowledgement and promises nothing; the test decides which other statuses it tolerates.
 */
final class WriteLoad {

    /** What an acknowledged operation promises about its key. */
    enum Outcome {
        /** The PUT got a 201: the key reads as its value and version. */
        PRESENT,
        /** The DELETE got a 200: the key reads as 404 (DESIGN section 2, "Deletes stay deleted"). */
        DELETED,
        /** The PUT got a 201, then a DELETE got no answer: either is correct. */
        PRESENT_OR_DELETED
    }

    /** An acknowledged operation: the value and version of the PUT's 201, and what it promises. */
    record Ack(JsonNode value, String version, Outcome outcome) {}

    /** Upper bound on writes per thread, so a load is bounded in count as well as in time. */
    private static final int MAX_WRITES_PER_THREAD = 1_000_000;

    final AtomicLong attempted = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong ackedDeletes = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong tolerated = new AtomicLong();

    /** Answers that are neither 201 nor tolerated (at most 100 kept). */
    final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

    /** Requests that got no answer (refused, reset, timed out): the first 20, with the exception. */
    final List<String> noAnswer = Collections.synchronizedList(new ArrayList<>());

    /** Writes sent without a 201: each may or may not have happened. */
    final Map<String, JsonNode> unacknowledged = new ConcurrentHashMap<>();

    /** When each 201 of this load arrived ({@link System#nanoTime}): how old a write was at a crash. */
    final Map<String, Long> ackedAtNanos = new ConcurrentHashMap<>();

    private final List<KvClient> targets;
    private final String query;
    private final String label;
    private final int clients;
    private final Duration duration;
    private final Map<String, Ack> ackedWrites;
    private final Set<Integer> toleratedStatuses;
    private final int deleteEvery;
    private final List<Thread> threads = new ArrayList<>();
    private long endNanos;

    /**
     * A load on one node, with no query parameters.
     *
     * @param label prefix of every key and thread name; unique per load in a test
     * @param ackedWrites where acknowledged writes are recorded (shared across loads of a test)
     * @param toleratedStatuses statuses other than 201 that are not a failure (e.g. 503 while stopping)
     * @param deleteEvery each thread deletes every deleteEvery-th key it wrote; 0: no deletes
     */
    WriteLoad(
            KvClient client,
            String label,
            int clients,
            Duration duration,
            Map<String, Ack> ackedWrites,
            Set<Integer> toleratedStatuses,
            int deleteEvery) {
        this(List.of(client), "", label, clients, duration, ackedWrites, toleratedStatuses, deleteEvery);
    }

    /**
     * A load spread over several nodes: writer thread {@code t} sends to {@code targets.get(t %
     * targets.size())}, every request with {@code query} (e.g. {@code w=2}; empty: none).
     */
    WriteLoad(
            List<KvClient> targets,
            String query,
            String label,
            int clients,
            Duration duration,
            Map<String, Ack> ackedWrites,
            Set<Integer> toleratedStatuses,
            int deleteEvery) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no target node");
        }
        this.targets = List.copyOf(targets);
        this.query = query;
        this.label = label;
        this.clients = clients;
        this.duration = duration;
        this.ackedWrites = ackedWrites;
        this.toleratedStatuses = Set.copyOf(toleratedStatuses);
        this.deleteEvery = deleteEvery;
    }

    void start() {
        endNanos = System.nanoTime() + duration.toNanos();
        for (int t = 0; t < clients; t++) {
            int thread = t;
            Thread writer = new Thread(() -> run(thread), "load-" + label + "-t" + t);
            writer.setDaemon(true);
            threads.add(writer);
            writer.start();
        }
    }

    /** Waits for the writers (bounded: they stop at the end time, a request times out in 5 s). */
    void finish() throws InterruptedException {
        long deadline = endNanos + TimeUnit.SECONDS.toNanos(15);
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                thread.interrupt();
                throw new AssertionError(thread.getName() + " did not stop");
            }
        }
    }

    String counts() {
        return "attempted " + attempted + ", acked " + acked + " (and " + ackedDeletes
                + " deletes), failed (no answer) " + failed + ", tolerated " + tolerated + ", unexpected "
                + unexpected.size();
    }

    private void run(int thread) {
        String writer = label + "-t" + thread;
        KvClient client = targets.get(thread % targets.size());
        for (int seq = 0; seq < MAX_WRITES_PER_THREAD && System.nanoTime() < endNanos; seq++) {
            String key = writer + "-" + seq;
            ObjectNode value = KvClient.MAPPER.createObjectNode();
            value.put("writer", writer).put("seq", seq).put("pad", "v".repeat(64));
            attempted.incrementAndGet();
            unacknowledged.put(key, value);
            try {
                KvClient.Response response = client.put(key, value, query);
                if (response.status() == 201) {
                    ackedAtNanos.put(key, System.nanoTime());
                    Ack ack = new Ack(value, response.version(), Outcome.PRESENT);
                    ackedWrites.put(key, ack);
                    unacknowledged.remove(key);
                    acked.incrementAndGet();
                    if (deleteEvery > 0 && seq % deleteEvery == deleteEvery - 1) {
                        delete(client, key, ack);
                    }
                } else if (toleratedStatuses.contains(response.status())) {
                    tolerated.incrementAndGet();
                    NodeProcess.sleep(Duration.ofMillis(20));
                } else if (unexpected.size() < 100) {
                    unexpected.add("PUT " + key + " -> " + response);
                }
            } catch (IOException e) {
                // Refused or reset: the node is gone. Not acknowledged, so nothing is promised.
                failed.incrementAndGet();
                if (noAnswer.size() < 20) {
                    noAnswer.add("PUT " + key + " -> " + e);
                }
                NodeProcess.sleep(Duration.ofMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Deletes an acknowledged key; until the 200 arrives, the key may read either way. */
    private void delete(KvClient client, String key, Ack put) throws InterruptedException {
        ackedWrites.put(key, new Ack(put.value(), put.version(), Outcome.PRESENT_OR_DELETED));
        try {
            KvClient.Response response = client.delete(key, query);
            if (response.status() == 200) {
                ackedWrites.put(key, new Ack(null, response.version(), Outcome.DELETED));
                ackedDeletes.incrementAndGet();
            } else if (!toleratedStatuses.contains(response.status()) && unexpected.size() < 100) {
                unexpected.add("DELETE " + key + " -> " + response);
            }
        } catch (IOException e) {
            failed.incrementAndGet(); // the node is gone; the next PUT backs off
        }
    }

    /**
     * What a read-back found: how many acknowledged operations hold, which acknowledged writes are
     * missing but allowed to be, and what is wrong.
     */
    static final class Check {
        final AtomicLong intact = new AtomicLong();
        final List<String> lost = Collections.synchronizedList(new ArrayList<>());
        final List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    }

    /** Reads every acknowledged write back with {@code readers} threads; stops after 20 wrong. */
    static Check check(KvClient client, Map<String, Ack> acked, int readers) throws InterruptedException {
        return check(client, acked, readers, key -> false);
    }

    /**
     * As {@link #check(KvClient, Map, int)}, but an acknowledged PUT that reads as 404 is listed in
     * {@link Check#lost} rather than wrong when {@code mayBeLost} accepts its key: what a mode that
     * acknowledges before the fsync may lose ({@code --fsync=periodic}).
     */
    static Check check(KvClient client, Map<String, Ack> acked, int readers, Predicate<String> mayBeLost)
            throws InterruptedException {
        Check check = new Check();
        List<Map.Entry<String, Ack>> entries = new ArrayList<>(acked.entrySet());
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            int reader = r;
            Thread thread = new Thread(
                    () -> {
                        for (int i = reader; i < entries.size() && check.wrong.size() < 20; i += readers) {
                            checkOne(
                                    client,
                                    entries.get(i).getKey(),
                                    entries.get(i).getValue(),
                                    mayBeLost,
                                    check);
                        }
                    },
                    "check-" + r);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            if (thread.isAlive()) {
                thread.interrupt();
                throw new AssertionError(thread.getName() + " did not finish reading back");
            }
        }
        return check;
    }

    private static void checkOne(KvClient client, String key, Ack ack, Predicate<String> mayBeLost, Check check) {
        KvClient.Response got;
        try {
            got = client.get(key);
        } catch (IOException e) {
            check.wrong.add("GET " + key + " failed: " + e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (got.status() == 404 && ack.outcome() != Outcome.PRESENT) {
            check.intact.incrementAndGet(); // deleted, as acknowledged (or as maybe-deleted allows)
            return;
        }
        if (got.status() == 404 && mayBeLost.test(key)) {
            check.lost.add(key);
            return;
        }
        if (ack.outcome() == Outcome.DELETED) {
            check.wrong.add("deleted " + key + " (delete version " + ack.version() + ") reads as " + got);
            return;
        }
        if (got.status() != 200) {
            check.wrong.add("acknowledged " + key + " (version " + ack.version() + ") reads as " + got);
            return;
        }
        JsonNode json = got.json();
        if (!ack.version().equals(json.path("version").asText()) || !ack.value().equals(json.get("value"))) {
            check.wrong.add(
                    "acknowledged " + key + " = " + ack.value() + " version " + ack.version() + " reads as " + got);
            return;
        }
        check.intact.incrementAndGet();
    }

    /**
     * Counts the unacknowledged writes that are present (informative: both outcomes are correct);
     * one that is present must hold exactly what was sent. Returns the count and any wrong value.
     */
    long countPresentUnacknowledged(KvClient reader, List<String> wrong) throws IOException, InterruptedException {
        long present = 0;
        for (Map.Entry<String, JsonNode> entry : unacknowledged.entrySet()) {
            KvClient.Response got = reader.get(entry.getKey());
            if (got.status() == 200) {
                present++;
                if (!entry.getValue().equals(got.json().get("value"))) {
                    wrong.add("unacknowledged " + entry.getKey() + " = " + entry.getValue() + " reads as " + got);
                }
            } else if (got.status() != 404) {
                wrong.add("unacknowledged " + entry.getKey() + " reads as " + got);
            }
        }
        return present;
    }
}
