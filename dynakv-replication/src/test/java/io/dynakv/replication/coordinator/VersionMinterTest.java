package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.CausalContext;
import io.dynakv.common.Causality;
import io.dynakv.common.Clock;
import io.dynakv.common.Hlc;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Resolution;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The minted version descends its context, gets a fresh dot, and a later HLC than its causes. */
class VersionMinterTest {

    private static final long NOW_MILLIS = 1_735_689_600_000L;

    private final NodeId self = new NodeId(7);
    private final KeyRef key = new KeyRef(0, "t", new byte[] {1});
    /** A wall clock stuck far in the past: only observing causes can move the HLC forward. */
    private final HlcClock hlc = new HlcClock(new Clock() {
        @Override
        public long nowNanos() {
            return 0;
        }

        @Override
        public long wallMillis() {
            return 1;
        }
    });

    @Test
    void blindWriteSupersedesWhatTheCoordinatorHolds() {
        Versioned local = version(VersionVector.of(Map.of(self, 3L, new NodeId(2), 5L)), 5_000_000);
        Versioned minted = VersionMinter.mint(self, hlc, request(Optional.empty()), Optional.of(local));
        assertThat(minted.clock().compare(local.clock())).isEqualTo(Causality.AFTER);
        assertThat(minted.clock().counter(self)).isEqualTo(4);
        assertThat(minted.hlc()).isGreaterThan(local.hlc());
    }

    @Test
    void writeOnAStaleContextIsConcurrentWithTheNewerLocalVersion() {
        Versioned read = version(VersionVector.of(Map.of(self, 1L)), 100);
        Versioned local = version(VersionVector.of(Map.of(self, 2L)), 200); // someone wrote since
        Versioned minted =
                VersionMinter.mint(self, hlc, request(Optional.of(CausalContext.of(read))), Optional.of(local));
        assertThat(minted.clock().compare(local.clock())).isEqualTo(Causality.CONCURRENT);
        assertThat(minted.clock().counter(self)).isEqualTo(3); // never reuses a dot
        assertThat(minted.hlc()).isGreaterThan(local.hlc()).isGreaterThan(read.hlc());
    }

    /**
     * Issue 9 item 2: the coordinator holds a version stamped by a node whose clock runs ten
     * minutes ahead, beyond the drift bound its HLC adopts. Its successor must still carry a higher
     * HLC, or a replica resolving it against a concurrent version would let the ancestor win.
     */
    @Test
    void successorOfAFarAheadVersionStillCarriesAHigherHlc() {
        HlcClock onTime = new HlcClock(wallAt(NOW_MILLIS));
        Versioned aheadLocal = version(VersionVector.of(Map.of(new NodeId(2), 1L)), tenMinutesAhead());
        Versioned minted = VersionMinter.mint(self, onTime, request(Optional.empty()), Optional.of(aheadLocal));
        assertThat(minted.clock().compare(aheadLocal.clock())).isEqualTo(Causality.AFTER);
        assertThat(minted.hlc()).isGreaterThan(aheadLocal.hlc());
    }

    /** The same through a client's context: it read the far-ahead version, this node holds none. */
    @Test
    void deleteOnAContextTenMinutesAheadCarriesAHigherHlc() {
        HlcClock onTime = new HlcClock(wallAt(NOW_MILLIS));
        Versioned read = version(VersionVector.of(Map.of(new NodeId(2), 1L)), tenMinutesAhead());
        WriteRequest delete = new WriteRequest(
                key, ValueKind.TOMBSTONE, new byte[0], Optional.of(CausalContext.of(read)), ConsistencyLevel.QUORUM);
        Versioned minted = VersionMinter.mint(self, onTime, delete, Optional.empty());
        assertThat(minted.clock().compare(read.clock())).isEqualTo(Causality.AFTER);
        assertThat(minted.hlc()).isGreaterThan(read.hlc());
    }

    /**
     * Issue 9 item 2, the whole scenario on three nodes: A's clock runs ten minutes ahead. A writes
     * "x"; a client reads it and deletes it through B (on time), which has not received "x" yet;
     * meanwhile C writes "y" without having seen either. In any delivery order every replica must
     * end with the same record, and the delete must beat the value it deleted (before the fix the
     * tombstone carried B's earlier HLC, so "x" won the merge on some replicas and stayed deleted
     * on others, under equal clocks).
     */
    @Test
    void deleteFromANodeTenMinutesBehindStaysDeleted() {
        HlcClock aheadA = new HlcClock(wallAt(NOW_MILLIS + 10 * 60_000));
        HlcClock onTimeB = new HlcClock(wallAt(NOW_MILLIS));
        HlcClock onTimeC = new HlcClock(wallAt(NOW_MILLIS));
        Versioned x = VersionMinter.mint(new NodeId(1), aheadA, request(Optional.empty()), Optional.empty());
        WriteRequest delete = new WriteRequest(
                key, ValueKind.TOMBSTONE, new byte[0], Optional.of(CausalContext.of(x)), ConsistencyLevel.QUORUM);
        Versioned tombstone = VersionMinter.mint(new NodeId(2), onTimeB, delete, Optional.empty());
        Versioned y = VersionMinter.mint(new NodeId(3), onTimeC, request(Optional.empty()), Optional.empty());

        List<List<Versioned>> orders = List.of(
                List.of(x, y, tombstone),
                List.of(x, tombstone, y),
                List.of(y, x, tombstone),
                List.of(y, tombstone, x),
                List.of(tombstone, x, y),
                List.of(tombstone, y, x));
        for (List<Versioned> order : orders) {
            Optional<Versioned> replica = Optional.empty();
            for (Versioned v : order) {
                replica = Optional.of(Resolution.of(replica, v).result());
            }
            assertThat(replica.orElseThrow().isTombstone())
                    .as("delivered in the order %s", order)
                    .isTrue();
        }
    }

    /** A forged context cannot exhaust a key's timestamps: Long.MAX_VALUE has no successor. */
    @Test
    void aForgedContextTimestampDoesNotMakeTheKeyUnwritable() {
        HlcClock onTime = new HlcClock(wallAt(NOW_MILLIS));
        CausalContext forged = new CausalContext(VersionVector.EMPTY, Long.MAX_VALUE);
        Versioned first = VersionMinter.mint(self, onTime, request(Optional.of(forged)), Optional.empty());
        Versioned second = VersionMinter.mint(self, onTime, request(Optional.of(forged)), Optional.of(first));
        assertThat(Hlc.millis(first.hlc())).isLessThanOrEqualTo(NOW_MILLIS + HlcClock.MAX_FOLLOW_MILLIS);
        assertThat(second.hlc()).isGreaterThan(first.hlc());
    }

    private static long tenMinutesAhead() {
        return Hlc.pack(NOW_MILLIS + 10 * 60_000, 3);
    }

    private static Clock wallAt(long millis) {
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

    private WriteRequest request(Optional<CausalContext> context) {
        return new WriteRequest(key, ValueKind.JSON, new byte[] {'1'}, context, ConsistencyLevel.QUORUM);
    }

    private static Versioned version(VersionVector clock, long hlc) {
        return new Versioned(clock, hlc, new NodeId(2), ValueKind.JSON, new byte[] {'0'});
    }
}
