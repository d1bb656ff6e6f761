package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.CausalContext;
import io.dynakv.common.Causality;
import io.dynakv.common.Clock;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The minted version descends its context, gets a fresh dot, and a later HLC than its causes. */
class VersionMinterTest {

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

    private WriteRequest request(Optional<CausalContext> context) {
        return new WriteRequest(key, ValueKind.JSON, new byte[] {'1'}, context, ConsistencyLevel.QUORUM);
    }

    private static Versioned version(VersionVector clock, long hlc) {
        return new Versioned(clock, hlc, new NodeId(2), ValueKind.JSON, new byte[] {'0'});
    }
}
