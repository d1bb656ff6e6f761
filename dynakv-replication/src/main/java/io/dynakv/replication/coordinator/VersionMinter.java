package io.dynakv.replication.coordinator;

import io.dynakv.common.CausalContext;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Makes the version of a new write (Dynamo paper, section 4.4, with the dotted refinement of
 * Preguica et al.): the causal context is what the client read, or, for a write that names none,
 * what the coordinator holds, so a plain PUT overwrites. The new event's dot comes from the node's
 * {@link DotLease}, never from what the key stores, so it is new even when the local copy lags.
 *
 * <p>When the context includes every event of this actor that the coordinator holds for the key,
 * the actor's entry becomes contiguous up to the new dot: the dots in between belong to other keys
 * or to this actor's earlier writes of the key, which happened before this one at this very
 * coordinator (a lower dot, a lower HLC), so the vector stays one entry per actor. Otherwise the
 * new event stays a dot beyond a gap, concurrent with the write it missed.
 *
 * <p>The HLC is stamped after both the context and the stored version ({@link
 * HlcClock#stampAfter}), even when they run ahead of this node's clock, so a causal successor always
 * carries a larger timestamp and wins any later tie-break against its own ancestors.
 */
final class VersionMinter {

    private VersionMinter() {}

    /** The new version, or empty when the lease has no dot for it now (see {@link DotLease#next}). */
    static Optional<Versioned> mint(DotLease dots, HlcClock hlc, WriteRequest request, Optional<Versioned> local) {
        NodeId actor = dots.actor();
        VersionVector held = local.map(Versioned::clock).orElse(VersionVector.EMPTY);
        VersionVector context = request.context().map(CausalContext::clock).orElse(held);
        OptionalLong dot = dots.next(
                Math.max(Math.max(context.counter(actor), held.counter(actor)), lowestCounterAtTheBound(context)));
        if (dot.isEmpty()) {
            return Optional.empty();
        }
        long stamp = hlc.stampAfter(
                local.map(Versioned::hlc).orElse(0L),
                request.context().map(CausalContext::hlc).orElse(0L));
        VersionVector clock = context.includesEventsOf(held, actor)
                ? context.with(actor, dot.getAsLong())
                : context.withDot(actor, dot.getAsLong());
        return Optional.of(new Versioned(clock, stamp, actor, request.kind(), request.value()));
    }

    /**
     * A vector at its size bound drops its lowest entry when the new one joins (see
     * VersionVector's pruning): a dot above that entry's counter keeps the new write's own event.
     */
    private static long lowestCounterAtTheBound(VersionVector context) {
        if (context.size() < VersionVector.MAX_ENTRIES) {
            return 0;
        }
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < context.size(); i++) {
            lowest = Math.min(lowest, context.counterAt(i));
        }
        return lowest;
    }
}
