package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rounds of "write load, {@code kill -9} at a seeded random moment, a fault, restart, read back"
 * against one node, for the crash durability tests (issue 4 item 4). Every round's read-back covers
 * the acknowledged writes of all earlier rounds too, so a later crash that loses an earlier write
 * fails as well.
 *
 * <p>A round may lose an acknowledged write only when it was acknowledged at most {@code lossWindow}
 * before the kill ({@code Duration.ZERO}: none may be lost). Each round reports how many it lost
 * and how old they were at the kill, measured from when the 201 reached the client: a write whose
 * 201 arrived after the kill signal was sent has a negative age.
 */
final class CrashRounds {

    /** What happens between the kill and the restart. */
    interface Fault {

        /** A process crash and nothing more: the OS page cache survives. */
        Fault NONE = () -> {};

        void afterKill() throws Exception;
    }

    /** What one round measured; ages in milliseconds before the kill. */
    record Round(
            int index, long killAfterMillis, String load, long lost, double oldestLostMillis, double newestLostMillis) {

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "round %d: kill -9 after %d ms; %s; lost %d acknowledged writes%s",
                    index,
                    killAfterMillis,
                    load,
                    lost,
                    lost == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    ", acknowledged %.1f..%.1f ms before the kill",
                                    newestLostMillis,
                                    oldestLostMillis));
        }
    }

    private static final int CLIENTS = 8;

    private static final Duration LOAD = Duration.ofSeconds(3);

    /** The kill falls in [KILL_MIN, KILL_MIN + KILL_SPAN) after the load starts. */
    private static final Duration KILL_MIN = Duration.ofMillis(300);

    private static final Duration KILL_SPAN = Duration.ofMillis(2_400);

    private final NodeProcess node;
    private final String nodeId;
    private final long seed;
    private final Random random;
    private final Duration lossWindow;
    private final int deleteEvery;
    private final Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
    private final Map<String, Double> ageAtKillMillis = new ConcurrentHashMap<>();
    private final List<Round> rounds = new ArrayList<>();

    /**
     * @param seed drives the kill moments; printed as {@code SEED=} by the caller
     * @param lossWindow how long before the kill an acknowledged write may have been and still be
     *     lost; {@code Duration.ZERO}: no acknowledged write may be lost
     * @param deleteEvery passed to {@link WriteLoad}: 0 where losses are allowed, since a lost
     *     delete would read back as its PUT and this class only measures lost PUTs
     */
    CrashRounds(NodeProcess node, long seed, Duration lossWindow, int deleteEvery) {
        this.node = node;
        this.nodeId = node.nodeId();
        this.seed = seed;
        this.random = new Random(seed);
        this.lossWindow = lossWindow;
        this.deleteEvery = deleteEvery;
    }

    /** Runs one round and asserts that it lost nothing outside the window. */
    Round run(Fault fault) throws Exception {
        int index = rounds.size();
        long killAfterMillis = KILL_MIN.toMillis() + random.nextInt((int) KILL_SPAN.toMillis());
        WriteLoad load = new WriteLoad(node.client(), "r" + index, CLIENTS, LOAD, acked, Set.of(), deleteEvery);
        load.start();
        NodeProcess.sleep(Duration.ofMillis(killAfterMillis));
        long killNanos = System.nanoTime();
        node.kill9();
        load.finish();
        fault.afterKill();
        load.ackedAtNanos.forEach((key, at) -> ageAtKillMillis.put(key, (killNanos - at) / 1e6));
        String context = String.format(
                Locale.ROOT,
                "SEED=%d round %d, kill -9 after %d ms; load: %s; %s",
                seed,
                index,
                killAfterMillis,
                load.counts(),
                node.describe());
        assertThat(load.unexpected)
                .as("answers other than 201 before the kill; %s", context)
                .isEmpty();

        node.restart();
        assertThat(node.nodeId()).as("node_id after restart; %s", context).isEqualTo(nodeId);
        KvClient client = node.client();
        WriteLoad.Check check = WriteLoad.check(client, acked, CLIENTS, this::mayBeLost);
        List<String> wrongUnacked = new ArrayList<>();
        load.countPresentUnacknowledged(client, wrongUnacked);
        assertThat(check.wrong)
                .as(
                        "acknowledged writes or deletes lost or changed (allowed: those acknowledged %d ms"
                                + " before the kill or later); %s",
                        lossWindow.toMillis(), context)
                .isEmpty();
        assertThat(check.intact.get() + check.lost.size())
                .as("acknowledged operations read back; %s", context)
                .isEqualTo(acked.size());
        assertThat(wrongUnacked).as("unacknowledged writes; %s", context).isEmpty();
        Round round = measure(index, killAfterMillis, load, check);
        System.out.println("[" + node.name() + "] SEED=" + seed + " " + round);
        rounds.add(round);
        return round;
    }

    /** Every acknowledged operation so far; non-empty once any round got a 201. */
    Map<String, WriteLoad.Ack> acked() {
        return acked;
    }

    List<Round> rounds() {
        return List.copyOf(rounds);
    }

    /** One line over rounds: acknowledged writes lost per round and the oldest of them at its kill. */
    static String summary(List<Round> rounds) {
        long lost = rounds.stream().mapToLong(Round::lost).sum();
        double oldest = rounds.stream()
                .filter(r -> r.lost() > 0)
                .mapToDouble(Round::oldestLostMillis)
                .max()
                .orElse(0);
        return String.format(
                Locale.ROOT,
                "%d rounds, lost acknowledged writes per round %s (%d in all)%s",
                rounds.size(),
                rounds.stream().map(r -> Long.toString(r.lost())).toList(),
                lost,
                lost == 0
                        ? ""
                        : String.format(Locale.ROOT, ", the oldest acknowledged %.1f ms before its kill", oldest));
    }

    private boolean mayBeLost(String key) {
        Double age = ageAtKillMillis.get(key);
        return !lossWindow.isZero() && age != null && age <= lossWindow.toMillis();
    }

    /** The round's own lost writes (earlier rounds' losses stay lost and were counted then). */
    private Round measure(int index, long killAfterMillis, WriteLoad load, WriteLoad.Check check) {
        List<Double> ages = check.lost.stream()
                .filter(load.ackedAtNanos::containsKey)
                .map(ageAtKillMillis::get)
                .sorted()
                .toList();
        return new Round(
                index,
                killAfterMillis,
                load.counts(),
                ages.size(),
                ages.isEmpty() ? 0 : ages.get(ages.size() - 1),
                ages.isEmpty() ? 0 : ages.get(0));
    }
}
