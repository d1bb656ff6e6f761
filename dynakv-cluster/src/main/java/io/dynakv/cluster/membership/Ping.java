package io.dynakv.cluster.membership;

import java.util.List;

/**
 * A direct probe (SWIM section 3.1); the receiver answers with an {@link Ack} of the same
 * sequence number.
 *
 * @param seq chosen by the prober, unique among its outstanding probes and relays
 */
public record Ping(long seq, List<Member> updates) implements SwimMessage {

    public Ping {
        updates = List.copyOf(updates);
    }
}
