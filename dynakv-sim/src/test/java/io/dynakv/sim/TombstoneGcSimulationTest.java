package io.dynakv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 3, "deletes stay deleted": the replication workload with anti-entropy and the
 * tombstone reaper running on every node under a short grace, and the fault that used to bring
 * deletes back, a node down for several times the grace ({@link TombstoneGcOptions}).
 *
 * <p>Every run prints {@code SEED=<n>} first; {@code -Dseed=<n>} replays it, and
 * {@code -Dsim.tombstoneSeeds=<count>} runs that many (default {@value #DEFAULT_SEEDS}).
 */
class TombstoneGcSimulationTest {

    private static final int DEFAULT_SEEDS = 100;
    private static final long[] FIXED = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    /**
     * Tombstones went once older than the grace by each node's clock, so a replica that was down
     * longer came back with the values deleted while it was away, and anti-entropy handed them to
     * the others. Now a tombstone goes only once every replica has been shown to hold it: the
     * runs purge many tombstones, and none of them brings a value back.
     */
    @Test
    void replicaDownLongerThanGraceDoesNotResurrectDeletes() {
        List<Long> seeds =
                ReplicationSimulationTest.seeds(FIXED, Integer.getInteger("sim.tombstoneSeeds", DEFAULT_SEEDS));
        Totals totals = run("tombstone GC, long outages", TombstoneGcOptions.shortGraceWithLongOutages(), seeds);
        assertThat(totals.failures).as("seeds whose run broke a rule").isEmpty();
        assertThat(totals.purged).as("tombstones purged: GC did run").isGreaterThan(seeds.size());
    }

    /**
     * The fault is not vacuous: with the reaper as it was (age alone), the same runs resurrect
     * deleted keys, and the checker says so.
     */
    @Test
    void purgingByAgeAloneResurrectsDeletesAfterALongOutage() {
        List<Long> seeds = new ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            seeds.add(seed);
        }
        Totals totals = run(
                "tombstone GC by age alone (broken), long outages",
                TombstoneGcOptions.shortGraceWithLongOutages().purgingByAgeAlone(),
                seeds);
        long resurrected = totals.failures.stream()
                .filter(f -> f.contains("resurrected") || f.contains("read-your-writes"))
                .count();
        assertThat(resurrected).as("seeds in which a purged delete came back").isPositive();
    }

    private static final class Totals {
        final List<String> failures = new ArrayList<>();
        long purged;
    }

    private static Totals run(String what, TombstoneGcOptions gc, List<Long> seeds) {
        long started = System.nanoTime();
        Totals totals = new Totals();
        long crashes = 0;
        long acked = 0;
        for (long seed : seeds) {
            SimSeeds.announce(seed, what);
            ReplicationSimulation simulation = new ReplicationSimulation(seed, ReplicationOptions.standard(), gc);
            ReplicationSimulation.Result r = simulation.run();
            totals.purged += simulation.tombstonesPurged();
            crashes += r.crashes();
            acked += r.ackedWrites() + r.ackedDeletes();
            if (!r.violations().isEmpty()) {
                System.out.println("FAILED " + r.summary());
                r.violations().stream().limit(3).forEach(v -> System.out.println("  " + v));
                totals.failures.add(r.summary() + "\n  " + r.violations().get(0) + "\n  replay with -Dseed=" + seed);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %d seeds, %d acknowledged writes and deletes, %d crashes, %d tombstones purged,"
                        + " %d seeds failed, %.1f s%n",
                what,
                seeds.size(),
                acked,
                crashes,
                totals.purged,
                totals.failures.size(),
                (System.nanoTime() - started) / 1e9);
        return totals;
    }
}
