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
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The minted version descends its context, takes its dot from the node's counter (never from what
 * the key stores), stays one entry per actor, and gets a later HLC than its causes. Property tests
 * check minting against a naive model: each write's causal history as a set of writes.
 */
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

    @Example
    void blindWriteSupersedesWhatTheCoordinatorHoldsWithOneEntryPerActor() {
        DotLease dots = lease(self, 100);
        Versioned local = version(VersionVector.of(Map.of(self, 3L, new NodeId(2), 5L)), 5_000_000);
        Versioned minted = mint(dots, Optional.empty(), Optional.of(local));
        assertThat(minted.clock().compare(local.clock())).isEqualTo(Causality.AFTER);
        assertThat(minted.clock()).isEqualTo(VersionVector.of(Map.of(self, 101L, new NodeId(2), 5L)));
        assertThat(minted.hlc()).isGreaterThan(local.hlc());
    }

    @Example
    void writeOnAStaleContextIsConcurrentWithTheNewerLocalVersion() {
        DotLease dots = lease(self, 100);
        Versioned read = version(VersionVector.of(Map.of(self, 1L)), 100);
        Versioned local = version(VersionVector.of(Map.of(self, 2L)), 200); // someone wrote since
        Versioned minted = mint(dots, Optional.of(CausalContext.of(read)), Optional.of(local));
        assertThat(minted.clock().compare(local.clock())).isEqualTo(Causality.CONCURRENT);
        assertThat(minted.clock().contains(self, 101)).isTrue();
        assertThat(minted.clock().dotCount()).isEqualTo(1);
        assertThat(minted.hlc()).isGreaterThan(local.hlc()).isGreaterThan(read.hlc());
    }

    /**
     * Issue 9 item 1: a coordinator whose own copy of the key lags (its write refused by a full
     * disk, lost by a power cut, purged with a tombstone) must still mint a dot no replica holds.
     */
    @Example
    void aLaggingLocalCopyNeverMakesTheCoordinatorReuseADot() {
        DotLease dots = lease(self, 0);
        Versioned first = mint(dots, Optional.empty(), Optional.empty());
        Versioned second = mint(dots, Optional.empty(), Optional.empty()); // the first was never stored here
        assertThat(second.clock().compare(first.clock())).isEqualTo(Causality.AFTER);
    }

    /** A context from a restored data directory (or a forged token) pushes the counter past it. */
    @Example
    void aContextAheadOfTheCounterIsPassed() {
        DotLease dots = lease(self, 0);
        Versioned ahead = version(VersionVector.of(Map.of(self, 500L)), 100);
        Versioned minted = mint(dots, Optional.of(CausalContext.of(ahead)), Optional.empty());
        assertThat(minted.clock().compare(ahead.clock())).isEqualTo(Causality.AFTER);
        assertThat(dots.next(0).getAsLong()).isGreaterThan(501);
    }

    @Example
    void noDotWhenTheLeaseIsSpentAndCannotBeRenewed() {
        DotLease dots = new DotLease(
                self,
                0,
                1,
                4,
                (name, value, onDurable, onFailed) ->
                        onFailed.accept(new io.dynakv.storage.StorageFullException("disk full")));
        assertThat(VersionMinter.mint(dots, hlc, request(Optional.empty()), Optional.empty()))
                .isPresent();
        assertThat(VersionMinter.mint(dots, hlc, request(Optional.empty()), Optional.empty()))
                .isEmpty();
        assertThat(dots.renewalFailedOnFullDisk()).isTrue();
    }

    /**
     * Against the model, with every coordinator's own writes stored locally: a minted clock claims
     * exactly the writes of the key in its causal history, although dots come from node-wide
     * counters that other keys advance (the gaps are other keys' events, which this key never sees).
     */
    @Property(tries = 300)
    void mintedClocksClaimExactlyTheCausalHistoryOfTheKey(@ForAll long seed) {
        History h = new History(new SplittableRandom(seed), false);
        h.run(40);
        for (int w = 0; w < h.writes.size(); w++) {
            assertThat(h.claimed(w)).as("seed %d write %d", seed, w).isEqualTo(h.causalPast.get(w));
        }
    }

    /**
     * With local copies that lag (own writes refused or lost), a clock may claim more of the
     * coordinator's earlier writes than its context saw, but never a later write, never fewer than
     * its causal history, and no two writes ever share a clock (which replicas would take as one).
     */
    @Property(tries = 300)
    void withLaggingLocalCopiesNoTwoWritesShareAClockAndNoneClaimsALaterOne(@ForAll long seed) {
        History h = new History(new SplittableRandom(seed), true);
        h.run(40);
        for (int w = 0; w < h.writes.size(); w++) {
            BitSet claimed = h.claimed(w);
            BitSet missing = (BitSet) h.causalPast.get(w).clone();
            missing.andNot(claimed);
            assertThat(missing.isEmpty())
                    .as("seed %d write %d misses %s", seed, w, missing)
                    .isTrue();
            assertThat(claimed.nextSetBit(w + 1))
                    .as("seed %d write %d claims a later write", seed, w)
                    .isEqualTo(-1);
            for (int other = 0; other < w; other++) {
                assertThat(h.writes.get(other).clock())
                        .isNotEqualTo(h.writes.get(w).clock());
            }
        }
    }

    /**
     * Writes of one key through three coordinators. Each coordinator's local copy is the merge of
     * the versions it applied; a write's context is its coordinator's copy (a blind write) or
     * another copy (what a client read). Other keys' writes take dots from the same counters.
     */
    private final class History {
        final SplittableRandom random;
        final boolean lagging;
        final List<DotLease> leases = new ArrayList<>();
        final List<VersionVector> held = new ArrayList<>();
        final List<BitSet> heldPast = new ArrayList<>();
        final List<Versioned> writes = new ArrayList<>();
        final List<BitSet> causalPast = new ArrayList<>();

        History(SplittableRandom random, boolean lagging) {
            this.random = random;
            this.lagging = lagging;
            for (int i = 1; i <= 3; i++) {
                leases.add(lease(new NodeId(i), 0));
                held.add(VersionVector.EMPTY);
                heldPast.add(new BitSet());
            }
        }

        void run(int count) {
            for (int w = 0; w < count; w++) {
                for (DotLease other : leases) {
                    for (int skip = random.nextInt(3); skip > 0; skip--) {
                        other.next(0); // another key's write
                    }
                }
                int at = random.nextInt(3);
                int from = random.nextInt(4) == 0 ? random.nextInt(3) : at;
                VersionVector context = held.get(from);
                BitSet past = (BitSet) heldPast.get(from).clone();
                Versioned v = VersionMinter.mint(
                                leases.get(at),
                                hlc,
                                request(Optional.of(new CausalContext(context, 0))),
                                Optional.of(version(held.get(at), 0)))
                        .orElseThrow();
                past.set(w);
                writes.add(v);
                causalPast.add(past);
                for (int replica = 0; replica < 3; replica++) {
                    boolean own = replica == at;
                    boolean applied = own ? !(lagging && random.nextInt(3) == 0) : random.nextBoolean();
                    if (applied) {
                        held.set(replica, held.get(replica).merge(v.clock()));
                        heldPast.get(replica).or(past);
                    }
                }
            }
        }

        /** The writes of the key whose events {@code w}'s clock contains. */
        BitSet claimed(int w) {
            BitSet out = new BitSet();
            VersionVector clock = writes.get(w).clock();
            for (int i = 0; i < writes.size(); i++) {
                Versioned other = writes.get(i);
                if (clock.contains(other.writer(), ownDot(other))) {
                    out.set(i);
                }
            }
            return out;
        }

        /** A write's own event: the highest dot of its writer in its clock. */
        private long ownDot(Versioned v) {
            return v.clock().counter(v.writer());
        }
    }

    /**
     * Issue 9 item 2: the coordinator holds a version stamped by a node whose clock runs ten
     * minutes ahead, beyond the drift bound its HLC adopts. Its successor must still carry a higher
     * HLC, or a replica resolving it against a concurrent version would let the ancestor win.
     */
    @Example
    void successorOfAFarAheadVersionStillCarriesAHigherHlc() {
        HlcClock onTime = new HlcClock(wallAt(NOW_MILLIS));
        Versioned aheadLocal = version(VersionVector.of(Map.of(new NodeId(2), 1L)), tenMinutesAhead());
        Versioned minted = VersionMinter.mint(
                        lease(self, 0), onTime, request(Optional.empty()), Optional.of(aheadLocal))
                .orElseThrow();
        assertThat(minted.clock().compare(aheadLocal.clock())).isEqualTo(Causality.AFTER);
        assertThat(minted.hlc()).isGreaterThan(aheadLocal.hlc());
    }

    /** The same through a client's context: it read the far-ahead version, this node holds none. */
    @Example
    void deleteOnAContextTenMinutesAheadCarriesAHigherHlc() {
        HlcClock onTime = new HlcClock(wallAt(NOW_MILLIS));
        Versioned read = version(VersionVector.of(Map.of(new NodeId(2), 1L)), tenMinutesAhead());
        WriteRequest delete = new WriteRequest(
                key, ValueKind.TOMBSTONE, new byte[0], Optional.of(CausalContext.of(read)), ConsistencyLevel.QUORUM);
        Versioned minted = VersionMinter.mint(lease(self, 0), onTime, delete, Optional.empty())
                .orElseThrow();
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
    @Example
    void deleteFromANodeTenMinutesBehindStaysDeleted() {
        HlcClock aheadA = new HlcClock(wallAt(NOW_MILLIS + 10 * 60_000));
        HlcClock onTimeB = new HlcClock(wallAt(NOW_MILLIS));
        HlcClock onTimeC = new HlcClock(wallAt(NOW_MILLIS));
        Versioned x = VersionMinter.mint(lease(new NodeId(1), 0), aheadA, request(Optional.empty()), Optional.empty())
                .orElseThrow();
        WriteRequest delete = new WriteRequest(
                key, ValueKind.TOMBSTONE, new byte[0], Optional.of(CausalContext.of(x)), ConsistencyLevel.QUORUM);
        Versioned tombstone = VersionMinter.mint(lease(new NodeId(2), 0), onTimeB, delete, Optional.empty())
                .orElseThrow();
        Versioned y = VersionMinter.mint(lease(new NodeId(3), 0), onTimeC, request(Optional.empty()), Optional.empty())
                .orElseThrow();

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
    @Example
    void aForgedContextTimestampDoesNotMakeTheKeyUnwritable() {
        HlcClock onTime = new HlcClock(wallAt(NOW_MILLIS));
        CausalContext forged = new CausalContext(VersionVector.EMPTY, Long.MAX_VALUE);
        Versioned first = VersionMinter.mint(lease(self, 0), onTime, request(Optional.of(forged)), Optional.empty())
                .orElseThrow();
        Versioned second = VersionMinter.mint(lease(self, 0), onTime, request(Optional.of(forged)), Optional.of(first))
                .orElseThrow();
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

    private Versioned mint(DotLease dots, Optional<CausalContext> context, Optional<Versioned> local) {
        return VersionMinter.mint(dots, hlc, request(context), local).orElseThrow();
    }

    private static DotLease lease(NodeId actor, long issuedUpTo) {
        return new DotLease(
                actor, issuedUpTo, issuedUpTo + 1000, 1000, (name, value, onDurable, onFailed) -> onDurable.run());
    }

    private WriteRequest request(Optional<CausalContext> context) {
        return new WriteRequest(key, ValueKind.JSON, new byte[] {'1'}, context, ConsistencyLevel.QUORUM);
    }

    private static Versioned version(VersionVector clock, long hlc) {
        return new Versioned(clock, hlc, new NodeId(2), ValueKind.JSON, new byte[] {'0'});
    }
}
