package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import java.util.List;

/**
 * An indirect probe request (SWIM section 3.1, "ping-req"): the receiver pings {@code target} and
 * forwards the target's ack to the sender. Asking k members routes around one lost packet or one
 * bad link, so a slow or lossy path alone does not get a healthy member suspected.
 *
 * @param seq the requester's probe sequence number, echoed in the forwarded ack
 * @param targetAddress lets a relay that has not yet heard of the target reach it
 */
public record PingReq(long seq, NodeId target, String targetAddress, List<Member> updates) implements SwimMessage {

    public PingReq {
        updates = List.copyOf(updates);
    }
}
