package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import java.util.List;

/**
 * The answer to a {@link Ping}, sent by the probed member, or forwarded by the member that relayed
 * an indirect probe (SWIM section 3.1), so the prober matches it by sequence number and target.
 *
 * @param target the member that answered the probe
 */
public record Ack(long seq, NodeId target, List<Member> updates) implements SwimMessage {

    public Ack {
        updates = List.copyOf(updates);
    }
}
