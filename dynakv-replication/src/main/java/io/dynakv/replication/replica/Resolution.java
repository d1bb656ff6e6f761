package io.dynakv.replication.replica;

import io.dynakv.common.Causality;
import io.dynakv.common.Versioned;
import java.util.Optional;

/**
 * What a replica keeps when a version arrives for a key it may already hold. Pure: the same inputs
 * give the same answer on every replica, which is what makes replicas converge.
 *
 * <p>Convergence in any delivery order rests on one invariant: a version's HLC is larger than the
 * HLC of every version its clock descends from. {@code VersionMinter} keeps it by stamping after the
 * context's and the stored version's HLC ({@code HlcClock.stampAfter}, even past the clock's drift
 * bound), and a merge keeps the larger HLC. Then the kept value is always the highest-HLC version
 * not superseded by another, whatever the order.
 *
 * <p>Where the invariant was broken anyway (by a release whose minter let a successor of a version
 * stamped by a clock minutes ahead carry a lower HLC), replicas can hold different contents under
 * one clock, a value on one and the tombstone that deleted it on another. Such a pair is resolved
 * by {@link Versioned#winsOver}, a total order on contents, so it converges too, and is counted.
 *
 * @param result the version to keep
 * @param outcome how it was decided
 */
public record Resolution(Versioned result, Outcome outcome) {

    /** How a resolution was decided. */
    public enum Outcome {
        /** The incoming version supersedes the stored one (or nothing was stored): store it. */
        APPLIED(true),
        /** The stored version already contains the incoming one: keep it, store nothing. */
        ALREADY_KNOWN(false),
        /**
         * Neither contains the other. Keep one value (the higher HLC, then writer id: DESIGN section
         * 2) under the merged clock, so the kept version supersedes both and every replica picks the
         * same one whatever order the versions arrive in.
         */
        CONCURRENT_MERGED(true),
        /** Equal clocks, different contents, and the incoming one orders first: store it. */
        DIVERGED_REPLACED(true),
        /** Equal clocks, different contents, and the stored one orders first: keep it. */
        DIVERGED_KEPT(false);

        private final boolean changesStorage;

        Outcome(boolean changesStorage) {
            this.changesStorage = changesStorage;
        }

        /** Whether two replicas held different contents under one clock (a broken invariant). */
        public boolean diverged() {
            return this == DIVERGED_REPLACED || this == DIVERGED_KEPT;
        }
    }

    public boolean changesStorage() {
        return outcome.changesStorage;
    }

    public static Resolution of(Optional<Versioned> stored, Versioned incoming) {
        if (stored.isEmpty()) {
            return new Resolution(incoming, Outcome.APPLIED);
        }
        Versioned current = stored.get();
        Causality c = incoming.clock().compare(current.clock());
        switch (c) {
            case AFTER:
                return new Resolution(incoming, Outcome.APPLIED);
            case BEFORE:
                return new Resolution(current, Outcome.ALREADY_KNOWN);
            case EQUAL:
                if (incoming.equals(current)) {
                    return new Resolution(current, Outcome.ALREADY_KNOWN);
                }
                return incoming.winsOver(current)
                        ? new Resolution(incoming, Outcome.DIVERGED_REPLACED)
                        : new Resolution(current, Outcome.DIVERGED_KEPT);
            case CONCURRENT:
                Versioned winner = incoming.winsOver(current) ? incoming : current;
                Versioned merged = new Versioned(
                        incoming.clock().merge(current.clock()),
                        winner.hlc(),
                        winner.writer(),
                        winner.kind(),
                        winner.value());
                return new Resolution(merged, Outcome.CONCURRENT_MERGED);
        }
        throw new IllegalStateException("unknown causality " + c);
    }

    /** The newest of several replicas' answers, resolved exactly as replicas resolve writes. */
    public static Optional<Versioned> newest(Iterable<Optional<Versioned>> answers) {
        Optional<Versioned> best = Optional.empty();
        for (Optional<Versioned> answer : answers) {
            if (answer.isPresent()) {
                best = Optional.of(of(best, answer.get()).result());
            }
        }
        return best;
    }
}
