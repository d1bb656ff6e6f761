package io.dynakv.replication.coordinator;

import io.dynakv.common.CausalContext;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import java.util.Optional;

/**
 * Makes the version of a new write (Dynamo paper, section 4.4, with the dotted refinement of
 * Preguica et al.): the causal context is what the client read, or, for a write that names none,
 * what the coordinator holds, so a plain PUT overwrites. The coordinator's own entry becomes one
 * past anything it has issued for the key. The HLC is stamped after both ({@link
 * HlcClock#stampAfter}), even when they run ahead of this node's clock, so a causal successor always
 * carries a larger timestamp and wins any later tie-break against its own ancestors.
 */
final class VersionMinter {

    private VersionMinter() {}

    static Versioned mint(NodeId actor, HlcClock hlc, WriteRequest request, Optional<Versioned> local) {
        VersionVector held = local.map(Versioned::clock).orElse(VersionVector.EMPTY);
        VersionVector context = request.context().map(CausalContext::clock).orElse(held);
        long stamp = hlc.stampAfter(
                local.map(Versioned::hlc).orElse(0L),
                request.context().map(CausalContext::hlc).orElse(0L));
        VersionVector clock = context.withDot(actor, held);
        return new Versioned(clock, stamp, actor, request.kind(), request.value());
    }
}
