package io.dynakv.replication.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.Clock;
import io.dynakv.common.Hlc;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.storage.ForwardingStorageEngine;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Expired tombstones that every other replica holds go; young tombstones, tombstones some replica
 * is not known to hold, values and anything rewritten since stay.
 */
class TombstoneReaperTest {

    private static final NodeId SELF = new NodeId(1);
    private static final NodeId B = new NodeId(2);
    private static final NodeId C = new NodeId(3);

    private static final long GRACE_MILLIS = 10_000;
    private static final long NOW_MILLIS = 1_000_000;

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final ReplicationStats stats = new ReplicationStats();
    private final Clock clock = fixedWall(NOW_MILLIS);
    /** Single-replica partitions unless a test says otherwise: only the grace applies. */
    private List<NodeId> others = List.of();

    private final HlcClock hlc = new HlcClock(clock);
    private final Replica replica = new Replica(storage, hlc, stats, horizons(hlc, clock, GRACE_MILLIS));

    private final List<Runnable> timers = new ArrayList<>();
    private final Scheduler scheduler = (delay, task) -> {
        timers.add(task);
        return () -> timers.remove(task);
    };

    @Test
    void purgesOnlyExpiredTombstonesAcrossEveryPartitionAndTable() {
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 30; i++) {
                storage.put(p, i % 2 == 0 ? "a" : "bb", key("old" + i), tombstone(NOW_MILLIS - GRACE_MILLIS - 1));
                storage.put(p, "a", key("young" + i), tombstone(NOW_MILLIS - GRACE_MILLIS + 1));
                storage.put(p, "a", key("live" + i), value(NOW_MILLIS - 10 * GRACE_MILLIS));
            }
        }
        storage.sync();
        TombstoneReaper reaper = reaper(new int[] {0, 1, 2, 3}, 7);

        int purged = 0;
        for (int step = 0; step < 200; step++) { // 4 partitions x 90 records / 7 per step, twice over
            purged += reaper.step();
        }

        assertThat(purged).isEqualTo(4 * 30);
        assertThat(stats.tombstonesPurged.sum()).isEqualTo(4 * 30);
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 30; i++) {
                assertThat(storage.get(p, i % 2 == 0 ? "a" : "bb", key("old" + i)))
                        .isEmpty();
                assertThat(storage.get(p, "a", key("young" + i))).isPresent();
                assertThat(storage.get(p, "a", key("live" + i))).isPresent();
            }
        }
    }

    @Test
    void leavesAKeyRewrittenAfterTheScanSawItsTombstone() {
        storage.put(0, "a", key("k"), tombstone(NOW_MILLIS - GRACE_MILLIS - 1));
        storage.sync();
        // A scan of RocksDB can predate a pending write: simulate with an engine whose scan lags.
        StorageEngine lagging = new ForwardingStorageEngine(storage) {
            @Override
            public List<PartitionRecord> scanPartition(int partition, String table, byte[] after, int limit) {
                List<PartitionRecord> snapshot = super.scanPartition(partition, table, after, limit);
                storage.put(0, "a", key("k"), value(NOW_MILLIS)); // written after the scan
                return snapshot;
            }
        };
        TombstoneReaper reaper =
                new TombstoneReaper(lagging, replica.horizons(), scheduler, stats, new int[] {0}, 10, 1_000_000);

        assertThat(reaper.step()).isZero();
        assertThat(storage.get(0, "a", key("k")))
                .hasValueSatisfying(v -> assertThat(v.isTombstone()).isFalse());
    }

    @Test
    void reschedulesItselfOnItsLoop() {
        reaper(new int[] {0}, 10).start();
        assertThat(timers).hasSize(1);
        timers.remove(0).run();
        assertThat(timers).hasSize(1);
    }

    /**
     * Issue 9 item 3: a tombstone went once older than the grace, whatever the other replicas held,
     * so a replica that missed the delete brought the value back. Now it stays until a completed
     * anti-entropy round has shown each other replica holding it.
     */
    @Test
    void tombstoneIsPurgedOnlyAfterEveryReplicaHoldsIt() {
        others = List.of(B, C);
        KeyRef key = new KeyRef(0, "a", key("k"));
        replica.apply(key, tombstone(NOW_MILLIS - 10 * GRACE_MILLIS));
        storage.sync();
        TombstoneReaper reaper = reaper(new int[] {0}, 10);

        assertThat(reaper.step()).as("no replica known to hold it").isZero();
        round(B); // began while the tombstone may still have been invisible to scans: proves nothing
        assertThat(reaper.step()).as("no replica known to hold it").isZero();
        round(C);
        assertThat(reaper.step()).as("C holds it, B not known to").isZero();
        round(B);
        assertThat(reaper.step()).as("B and C hold it").isEqualTo(1);
        assertThat(storage.get(0, "a", key("k"))).isEmpty();
    }

    /**
     * A tombstone that arrives after a round (a hint, a repair from a third replica) is not covered
     * by that round, however old its HLC: the round never showed it to the peer.
     */
    @Test
    void aTombstoneArrivingAfterTheRoundWaitsForTheNextOne() {
        others = List.of(B);
        round(B);
        round(B);
        replica.apply(new KeyRef(0, "a", key("late")), tombstone(NOW_MILLIS - 10 * GRACE_MILLIS));
        storage.sync();
        TombstoneReaper reaper = reaper(new int[] {0}, 10);

        assertThat(reaper.step()).isZero();
        round(B);
        assertThat(reaper.step()).isZero();
        round(B);
        assertThat(reaper.step()).isEqualTo(1);
    }

    /**
     * Issue 9 item 3: a node whose clock runs 10 minutes fast saw every tombstone as 10 minutes
     * older and purged them before the grace, while a replica that missed the delete was down.
     * The grace is still read off this node's clock, but no tombstone goes before the other
     * replicas hold it, which no clock can hasten.
     */
    @Test
    void fastClockNodeDoesNotPurgeTombstonesEarly() {
        long tenMinutesMillis = 600_000;
        others = List.of(B, C);
        Clock fast = fixedWall(NOW_MILLIS + tenMinutesMillis);
        HlcClock fastHlc = new HlcClock(fast);
        Replica fastReplica = new Replica(storage, fastHlc, stats, horizons(fastHlc, fast, 60_000));
        fastReplica.apply(new KeyRef(0, "a", key("k")), tombstone(NOW_MILLIS - 1_000)); // deleted 1 s ago
        storage.sync();
        for (int i = 0; i < 2; i++) { // C is down
            fastReplica.horizons().repaired(0, B, fastReplica.horizons().repairTime());
        }
        TombstoneReaper reaper =
                new TombstoneReaper(storage, fastReplica.horizons(), scheduler, stats, new int[] {0}, 10, 1_000_000);

        assertThat(reaper.step()).isZero();
        assertThat(storage.get(0, "a", key("k"))).isPresent();
    }

    @Test
    void purgesNothingOfAPartitionThisNodeHoldsNoReplicaOf() {
        storage.put(0, "a", key("k"), tombstone(NOW_MILLIS - 10 * GRACE_MILLIS));
        storage.sync();
        TombstoneHorizons noReplica = new TombstoneHorizons(hlc, clock, GRACE_MILLIS, p -> Optional.empty());
        TombstoneReaper reaper =
                new TombstoneReaper(storage, noReplica, scheduler, stats, new int[] {0}, 10, 1_000_000);

        assertThat(reaper.step()).isZero();
        assertThat(TombstoneReaper.otherReplicas(SELF, List.of(B, C))).isEmpty();
        assertThat(TombstoneReaper.otherReplicas(SELF, List.of(B, SELF, C))).contains(List.of(B, C));
    }

    private TombstoneReaper reaper(int[] partitions, int perTick) {
        return new TombstoneReaper(storage, replica.horizons(), scheduler, stats, partitions, perTick, 1_000_000);
    }

    /** The rule with this test's other replicas ({@link #others}, read at each check). */
    private TombstoneHorizons horizons(HlcClock nodeHlc, Clock wall, long graceMillis) {
        return new TombstoneHorizons(nodeHlc, wall, graceMillis, p -> Optional.of(others));
    }

    /** An anti-entropy round on partition 0 with {@code peer} that began now and completed. */
    private void round(NodeId peer) {
        replica.horizons().repaired(0, peer, replica.horizons().repairTime());
    }

    private static Clock fixedWall(long millis) {
        return new Clock() {
            @Override
            public long nowNanos() {
                return 0;
            }

            @Override
            public long wallMillis() {
                return millis;
            }
        };
    }

    private static Versioned tombstone(long millis) {
        return Versioned.tombstone(VersionVector.of(Map.of(new NodeId(1), 1L)), Hlc.pack(millis, 0), new NodeId(1));
    }

    private static Versioned value(long millis) {
        return new Versioned(
                VersionVector.of(Map.of(new NodeId(1), 2L)),
                Hlc.pack(millis, 0),
                new NodeId(1),
                ValueKind.JSON,
                key("1"));
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
