package io.dynakv.faults.history;

import io.dynakv.faults.cluster.Http;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Concurrent clients over a few hundred keys: blind writes of unique values, reads, deletes, and
 * read-modify-writes that send the version they read back as causal context. Each client picks a
 * node at random for every operation, as a load balancer would. Bounded in time and in operation
 * count; every operation, answered or not, goes to the {@link History}.
 */
public final class Workload {

    /** Percentages of the operation mix: write, read, read-modify-write; the rest are deletes. */
    private static final int WRITE_PERCENT = 40;

    private static final int READ_PERCENT = 30;
    private static final int READ_MODIFY_WRITE_PERCENT = 15;

    private final Http http;
    private final Supplier<List<String>> nodes;
    private final Supplier<String> fault;
    private final History history;
    private final int keys;
    private final long maxOps;
    private final long startNanos;
    private final AtomicLong ids = new AtomicLong();

    /**
     * @param nodes the addresses a client may send to (read at every operation: nodes get replaced)
     * @param fault the nemesis's fault in force now, recorded with each operation
     * @param keys the key space: {@code k0 .. k(keys-1)}
     * @param maxOps the most operations all clients together send
     * @param startNanos the run's time origin ({@link System#nanoTime})
     */
    public Workload(
            Http http,
            Supplier<List<String>> nodes,
            Supplier<String> fault,
            History history,
            int keys,
            long maxOps,
            long startNanos) {
        this.http = http;
        this.nodes = nodes;
        this.fault = fault;
        this.history = history;
        this.keys = keys;
        this.maxOps = maxOps;
        this.startNanos = startNanos;
    }

    /** Runs {@code clients} client threads for {@code duration}, each with its own random split from {@code random}. */
    public void run(int clients, Duration duration, SplittableRandom random) throws InterruptedException {
        long endNanos = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            SplittableRandom own = random.split();
            Thread thread = new Thread(() -> runClient(client, own, endNanos), "client-" + c);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(duration.toMillis() + 30_000);
        }
    }

    private void runClient(int client, SplittableRandom random, long endNanos) {
        for (long seq = 0; System.nanoTime() < endNanos && ids.get() < maxOps; seq++) {
            List<String> targets = nodes.get();
            String node = targets.get(random.nextInt(targets.size()));
            String key = "k" + random.nextInt(keys);
            int dice = random.nextInt(100);
            try {
                if (dice < WRITE_PERCENT) {
                    write(client, node, key, "c" + client + "-" + seq, null, now(), Op.Kind.WRITE);
                } else if (dice < WRITE_PERCENT + READ_PERCENT) {
                    read(client, node, key);
                } else if (dice < WRITE_PERCENT + READ_PERCENT + READ_MODIFY_WRITE_PERCENT) {
                    readModifyWrite(client, node, key, "c" + client + "-" + seq);
                } else {
                    delete(client, node, key);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void read(int client, String node, String key) throws InterruptedException {
        long invoke = now();
        String fault = this.fault.get();
        try {
            Http.Response response = http.get(node, Http.keyPath(key));
            boolean ok = response.status() == 200 || response.status() == 404;
            String value =
                    response.status() == 200 ? response.json().path("value").asText() : null;
            record(
                    client,
                    Op.Kind.READ,
                    key,
                    value,
                    invoke,
                    ok ? Op.Outcome.OK : Op.Outcome.UNKNOWN,
                    response,
                    node,
                    fault,
                    null);
        } catch (IOException e) {
            record(client, Op.Kind.READ, key, null, invoke, Op.Outcome.UNKNOWN, null, node, fault, e);
        }
    }

    /** A read, then a write of {@code value} whose context is the version read (none when absent). */
    private void readModifyWrite(int client, String node, String key, String value) throws InterruptedException {
        long invoke = now();
        String fault = this.fault.get();
        try {
            Http.Response read = http.get(node, Http.keyPath(key));
            if (read.status() != 200 && read.status() != 404) {
                record(client, Op.Kind.READ_MODIFY_WRITE, key, value, invoke, Op.Outcome.FAIL, read, node, fault, null);
                return;
            }
            String context = read.status() == 200 ? read.json().path("version").asText() : null;
            write(client, node, key, value, context, invoke, Op.Kind.READ_MODIFY_WRITE);
        } catch (IOException e) {
            record(client, Op.Kind.READ_MODIFY_WRITE, key, value, invoke, Op.Outcome.FAIL, null, node, fault, e);
        }
    }

    private void write(int client, String node, String key, String value, String context, long invoke, Op.Kind kind)
            throws InterruptedException {
        String fault = this.fault.get();
        try {
            Http.Response response = http.put(node, Http.keyPath(key), value, context);
            Op.Outcome outcome = response.status() == 201 ? Op.Outcome.OK : Op.Outcome.UNKNOWN;
            record(client, kind, key, value, invoke, outcome, response, node, fault, null);
        } catch (IOException e) {
            record(client, kind, key, value, invoke, notSentOrUnknown(e), null, node, fault, e);
        }
    }

    private void delete(int client, String node, String key) throws InterruptedException {
        long invoke = now();
        String fault = this.fault.get();
        try {
            Http.Response response = http.delete(node, Http.keyPath(key));
            Op.Outcome outcome = response.status() == 200 ? Op.Outcome.OK : Op.Outcome.UNKNOWN;
            record(client, Op.Kind.DELETE, key, null, invoke, outcome, response, node, fault, null);
        } catch (IOException e) {
            record(client, Op.Kind.DELETE, key, null, invoke, notSentOrUnknown(e), null, node, fault, e);
        }
    }

    /** A refused connection sent nothing; any other failure may have been applied. */
    private static Op.Outcome notSentOrUnknown(IOException e) {
        return e instanceof ConnectException ? Op.Outcome.FAIL : Op.Outcome.UNKNOWN;
    }

    private void record(
            int client,
            Op.Kind kind,
            String key,
            String value,
            long invoke,
            Op.Outcome outcome,
            Http.Response response,
            String node,
            String fault,
            IOException failure) {
        String version = response != null && response.status() / 100 == 2
                ? response.json().path("version").asText(null)
                : null;
        String error = outcome == Op.Outcome.OK
                ? null
                : response != null
                        ? response.status() + " "
                                + response.json().path("error").asText()
                        : failure.toString();
        history.record(new Op(
                ids.incrementAndGet(), client, kind, key, value, invoke, now(), outcome, version, node, fault, error));
    }

    private long now() {
        return (System.nanoTime() - startNanos) / 1000;
    }
}
