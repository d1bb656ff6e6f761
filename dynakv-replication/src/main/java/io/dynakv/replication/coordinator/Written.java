package io.dynakv.replication.coordinator;

import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.Resolution;
import java.util.Optional;

/**
 * A write that reached its quorum: the version minted for it and, when one of the replicas whose
 * acknowledgement counted toward W already held a version concurrent with it, that version (value
 * included; the newest one when several met it). Replicas resolve the two deterministically
 * (highest HLC, then writer id; DESIGN section 2), so the coordinator can tell the client which
 * value the key keeps. With W + W > N, two concurrent writes' counted replicas share one, where one
 * of them arrived second: so at least one of the two clients hears of their conflict.
 *
 * @param version the version minted for the write (its client's {@code version} token)
 * @param concurrent the version it met, if any
 */
public record Written(Versioned version, Optional<Versioned> concurrent) {

    public static Written alone(Versioned version) {
        return new Written(version, Optional.empty());
    }

    /** True when the write's value was resolved away: a concurrent version is kept instead. */
    public boolean superseded() {
        return concurrent.isPresent() && concurrent.get().winsOver(version);
    }

    /**
     * The version the replicas keep after resolving this write against the concurrent one: the
     * union of both histories with the winner's value. Its token, sent back as context, makes a
     * write the successor of both.
     */
    public Versioned kept() {
        return Resolution.of(concurrent, version).result();
    }
}
