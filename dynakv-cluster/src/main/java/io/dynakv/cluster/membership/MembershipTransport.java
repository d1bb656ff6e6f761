package io.dynakv.cluster.membership;

import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;

/**
 * The transport membership needs: sending to a known member by id, as every protocol does, plus
 * sending to a bare address, which only joining needs because a new node knows its seed's
 * {@code host:port} but not its id. The receiver learns the sender's id from the delivery, as
 * with any message, and answers by id.
 *
 * <p>A production transport resolves an id to an address through
 * {@link SwimMembership#addressOf}; the joiner is in the seed's member list before the seed
 * replies, so the reply can be addressed. Same fault model as {@link Transport}: a send may be
 * lost, delayed, duplicated or reordered, and never blocks or throws for a network reason.
 */
public interface MembershipTransport extends Transport {

    /** Sends to whatever node listens on {@code address} ({@code host:port}); none means lost. */
    void sendToAddress(String address, Message message);
}
