package io.dynakv.sim;

/**
 * Tombstone garbage collection in a {@link ReplicationSimulation}: whether every node runs
 * anti-entropy and the tombstone reaper (on its own, skewed clock), and the fault that tests them
 * (issue 9 item 3): <em>a node down longer than the tombstone grace, with the reaper running</em>.
 * While it is away, clients delete keys it holds live values of; the other replicas' tombstones
 * pass the grace; it comes back with its old values and anti-entropy compares it with the others.
 * With purging by age alone, those values come back (a resurrected delete).
 *
 * @param enabled run anti-entropy and the reaper on every node; false: neither runs, as before
 * @param graceMillis the tombstone grace, short so that it passes many times in a run
 * @param reaperTickNanos how often each node's reaper examines a slice of its partitions
 * @param antiEntropyIntervalNanos how often each node starts an anti-entropy round
 * @param outageNanos how long the long-outage fault keeps a node down at least (up to 1.5 times
 *     that); 0: no such fault
 * @param purgeByAgeAlone the deliberately broken reaper, as before issue 9: every node purges a
 *     tombstone once it is older than the grace by its own clock, as if it were the only replica;
 *     it exists to show that the checker catches the deletes this brings back
 */
public record TombstoneGcOptions(
        boolean enabled,
        long graceMillis,
        long reaperTickNanos,
        long antiEntropyIntervalNanos,
        long outageNanos,
        boolean purgeByAgeAlone) {

    private static final long MS = 1_000_000L;

    public TombstoneGcOptions {
        if (enabled && (graceMillis < 0 || reaperTickNanos < 1 || antiEntropyIntervalNanos < 1 || outageNanos < 0)) {
            throw new IllegalArgumentException("bad tombstone GC options");
        }
    }

    /** No anti-entropy, no reaper: the replication layer alone, healed by read repair. */
    public static TombstoneGcOptions off() {
        return new TombstoneGcOptions(false, 0, 1, 1, 0, false);
    }

    /**
     * A 300 ms grace, a reaper every 20 ms, a round every 5 ms per node, and outages of 1 to
     * 1.5 s: several times the grace, within a 3 s workload.
     */
    public static TombstoneGcOptions shortGraceWithLongOutages() {
        return new TombstoneGcOptions(true, 300, 20 * MS, 5 * MS, 1000 * MS, false);
    }

    /** The same, with the broken reaper ({@code purgeByAgeAlone}). */
    public TombstoneGcOptions purgingByAgeAlone() {
        return new TombstoneGcOptions(
                enabled, graceMillis, reaperTickNanos, antiEntropyIntervalNanos, outageNanos, true);
    }
}
