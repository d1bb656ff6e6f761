package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Multi-node helpers for the cluster ITs: start a cluster through the real join path, watch every
 * node's {@code /membership} until a condition holds (timing how long it took), and write a fixed
 * set of keys. Every wait is bounded in time and in number of polls.
 */
final class ClusterHarness {

    /** How often views are polled while waiting: the resolution of the printed times. */
    static final Duration POLL = Duration.ofMillis(50);

    /** A view request must be quick: a slow one makes the measured time coarse, not wrong. */
    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(1);

    /** The Rebalancer's INFO line when a node starts (or, after a restart, resumes) streaming partitions in. */
    private static final Pattern STREAMING =
            Pattern.compile("streaming \\d+ partitions in|resuming \\d+ partition streams");

    private ClusterHarness() {}

    /**
     * Starts {@code n1} alone, then {@code n2..count} at the same moment, all joining through
     * {@code n1}, and waits until each serves (a joiner serves once it holds the ring). Joins that
     * race each other are the normal case when an operator starts a cluster from a script.
     */
    static List<NodeProcess> start(Nodes nodes, int count, Map<String, String> env, String... extraArgs) {
        List<NodeProcess> members = new ArrayList<>();
        members.add(nodes.startMember("n1", null, env, extraArgs));
        for (int i = 2; i <= count; i++) {
            members.add(nodes.spawnMember("n" + i, members.get(0), env, extraArgs));
        }
        members.forEach(NodeProcess::awaitServing);
        return members;
    }

    /**
     * {@link #start}, then waits until every node lists all as up in one ring (10 s from the last
     * launch) and no node still streams partitions in (30 s): a cluster ready for a test's load.
     */
    static List<NodeProcess> startSettled(Nodes nodes, int count, Map<String, String> env, String... extraArgs) {
        List<NodeProcess> members = start(nodes, count, env, extraArgs);
        long lastLaunch =
                members.stream().mapToLong(NodeProcess::launchNanos).max().orElseThrow();
        awaitViews(
                members,
                allUp(addresses(members)).and(oneRingHolding(addresses(members))),
                count + " nodes up in one ring",
                lastLaunch,
                Duration.ofSeconds(10));
        awaitStreamsDone(members, System.nanoTime(), Duration.ofSeconds(30));
        return members;
    }

    static List<String> addresses(List<NodeProcess> members) {
        return members.stream().map(NodeProcess::address).toList();
    }

    static List<KvClient> clients(List<NodeProcess> members) {
        return members.stream().map(NodeProcess::client).toList();
    }

    /** One node's view right now; an AssertionError when it does not answer. */
    static Membership view(NodeProcess node) {
        try {
            return Membership.parse(node.address(), new KvClient(node.port(), VIEW_TIMEOUT).membership());
        } catch (IOException e) {
            throw new AssertionError("GET /membership failed: " + e + "; " + node.describe(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** What waiting for a condition on the views took. */
    record Waited(long sinceNanos, long elapsedNanos, List<Membership> views) {

        double seconds() {
            return elapsedNanos / 1e9;
        }

        String formatted() {
            return String.format(Locale.ROOT, "%.2f s", seconds());
        }
    }

    /**
     * Polls the views of {@code observers} until {@code condition} holds on all of them taken
     * together, and returns the time from {@code sinceNanos} (a {@link System#nanoTime}: the kill,
     * the launch) to the first poll where it held. Fails when it does not hold by {@code sinceNanos
     * + bound}, naming {@code what} and showing the last views and log tails.
     */
    static Waited awaitViews(
            List<NodeProcess> observers,
            Predicate<List<Membership>> condition,
            String what,
            long sinceNanos,
            Duration bound) {
        long deadline = sinceNanos + bound.toNanos();
        int maxPolls = (int) (bound.toMillis() / POLL.toMillis()) + 100;
        List<String> last = List.of("no view yet");
        for (int poll = 0; poll < maxPolls && System.nanoTime() <= deadline; poll++) {
            List<Membership> views = new ArrayList<>();
            List<String> summaries = new ArrayList<>();
            for (NodeProcess observer : observers) {
                try {
                    Membership view = Membership.parse(
                            observer.address(), new KvClient(observer.port(), VIEW_TIMEOUT).membership());
                    views.add(view);
                    summaries.add(view.summary());
                } catch (IOException | AssertionError e) {
                    summaries.add(observer.address() + " did not answer: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what, e);
                }
            }
            long now = System.nanoTime();
            if (views.size() == observers.size() && condition.test(views) && now <= deadline) {
                return new Waited(sinceNanos, now - sinceNanos, List.copyOf(views));
            }
            last = summaries;
            NodeProcess.sleep(POLL);
        }
        StringBuilder message = new StringBuilder(
                "not within " + bound.toMillis() + " ms: " + what + "\nlast views:\n  " + String.join("\n  ", last));
        for (NodeProcess observer : observers) {
            message.append("\n--- ").append(observer.describe()).append('\n').append(observer.logTail(15));
        }
        throw new AssertionError(message.toString());
    }

    /**
     * Waits until no node of {@code members} is streaming partitions in, and returns the time from
     * {@code sinceNanos}. A node streams the partitions a new ring gives it (join, leave, removal)
     * and, until a partition is complete, refuses reads of it, and writes it would coordinate (see
     * {@code ClusterMembershipIT}). The node exposes no streaming state over HTTP, so this reads
     * its log: since the last start, every {@code "streaming N partitions in"} or {@code "resuming N
     * partition streams"} line must be followed by a {@code "holds all its partitions"} line (the
     * Rebalancer's INFO lines). Call it once the views show one ring, so that no new ring follows.
     */
    static Waited awaitStreamsDone(List<NodeProcess> members, long sinceNanos, Duration bound) {
        long deadline = sinceNanos + bound.toNanos();
        int maxPolls = (int) (bound.toMillis() / POLL.toMillis()) + 100;
        for (int poll = 0; poll < maxPolls && System.nanoTime() <= deadline; poll++) {
            if (members.stream().allMatch(ClusterHarness::streamsDone)) {
                return new Waited(sinceNanos, System.nanoTime() - sinceNanos, List.of());
            }
            NodeProcess.sleep(POLL);
        }
        StringBuilder message = new StringBuilder("partition streams not complete within " + bound.toMillis()
                + " ms (no 'holds all its partitions' after the last 'streaming ... partitions in' line)");
        for (NodeProcess member : members) {
            if (!streamsDone(member)) {
                message.append("\n--- ").append(member.describe()).append('\n').append(member.logTail(15));
            }
        }
        throw new AssertionError(message.toString());
    }

    /** True when the node's log, since its last start, shows no partition stream still open. */
    static boolean streamsDone(NodeProcess member) {
        List<String> lines = member.logTail(100_000).lines().toList();
        int start = 0;
        int streaming = -1;
        int done = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("==== dynakv-it ")) {
                start = i;
            } else if (STREAMING.matcher(line).find()) {
                streaming = i;
            } else if (line.contains("holds all its partitions")) {
                done = i;
            }
        }
        return streaming < start || done > streaming;
    }

    /** A condition true when every view lists exactly {@code addresses} as up (and nothing else as active). */
    static Predicate<List<Membership>> allUp(List<String> addresses) {
        return views -> views.stream().allMatch(v -> v.exactlyUp(addresses));
    }

    /** A condition true when every view gives the node at {@code address} the status {@code status}. */
    static Predicate<List<Membership>> everyoneSees(String address, String status) {
        return views -> views.stream().allMatch(v -> v.statusOf(address).equals(status));
    }

    /** A condition true when all views are at the same ring epoch, in which each of {@code addresses} holds partitions. */
    static Predicate<List<Membership>> oneRingHolding(List<String> addresses) {
        return views -> views.stream().map(Membership::ringEpoch).distinct().count() == 1
                && views.stream().allMatch(v -> addresses.stream().allMatch(a -> v.partitionsOf(a) > 0));
    }

    /**
     * Writes keys {@code prefix-0 .. prefix-(count-1)} with {@code threads} threads, thread {@code t}
     * through {@code targets.get(t % size)}, and records each 201 in {@code acked}. Any other
     * answer fails: these writes run on a healthy cluster.
     */
    static void writeKeys(
            List<KvClient> targets, String prefix, int count, int threads, Map<String, WriteLoad.Ack> acked)
            throws Exception {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            KvClient client = targets.get(t % targets.size());
            tasks.add(() -> {
                for (int i = thread; i < count; i += threads) {
                    String key = prefix + "-" + i;
                    JsonNode value =
                            KvClient.MAPPER.createObjectNode().put("key", key).put("i", i);
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
            for (Future<Void> done : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                done.get(); // rethrows a writer's failure; a cancelled (timed out) task throws too
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Polls {@code /stats} of {@code members} until none has a pending hint, and returns the time
     * from {@code sinceNanos}; fails after {@code sinceNanos + bound} showing the counts.
     */
    static Waited awaitHintsDrained(List<NodeProcess> members, long sinceNanos, Duration bound) {
        long deadline = sinceNanos + bound.toNanos();
        int maxPolls = (int) (bound.toMillis() / POLL.toMillis()) + 100;
        String last = "";
        for (int poll = 0; poll < maxPolls && System.nanoTime() <= deadline; poll++) {
            last = pendingHints(members);
            if (last.matches("(\\S+=0 ?)+")) { // every node answered 0
                return new Waited(sinceNanos, System.nanoTime() - sinceNanos, List.of());
            }
            NodeProcess.sleep(POLL);
        }
        throw new AssertionError("pending hints not replayed within " + bound.toMillis() + " ms: " + last);
    }

    /** {@code pending_hints} of each node's {@code /stats}, for the printed figures ("?" when it does not answer). */
    static String pendingHints(List<NodeProcess> members) {
        List<String> counts = new ArrayList<>();
        for (NodeProcess member : members) {
            String count;
            try {
                KvClient.Response stats = new KvClient(member.port(), VIEW_TIMEOUT).stats();
                count = stats.status() == 200
                        ? stats.json().path("pending_hints").asText("?")
                        : "?";
            } catch (IOException e) {
                count = "?";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            counts.add(member.name() + "=" + count);
        }
        return String.join(" ", counts);
    }

    /** SIGTERM to each node; each must exit 0. */
    static void stopAll(List<NodeProcess> members) {
        List<String> exits = new ArrayList<>();
        for (NodeProcess member : members) {
            exits.add(member.name() + "=" + member.terminate());
        }
        assertThat(exits).as("exit codes after SIGTERM").allMatch(exit -> exit.endsWith("=0"));
    }
}
