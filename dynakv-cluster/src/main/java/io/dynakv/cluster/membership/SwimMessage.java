package io.dynakv.cluster.membership;

import io.dynakv.common.message.Message;
import java.util.List;

/**
 * A membership message. Every one carries a bounded list of piggybacked membership updates, the
 * infection-style dissemination of SWIM section 4.1: no separate gossip messages exist.
 */
public sealed interface SwimMessage extends Message
        permits Ping, Ack, PingReq, JoinRequest, JoinReply, JoinRefused, Leave, Sync {

    /** Piggybacked claims, at most {@link SwimConfig#maxPiggyback()} of them. */
    List<Member> updates();
}
