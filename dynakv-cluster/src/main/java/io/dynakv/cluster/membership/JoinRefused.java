package io.dynakv.cluster.membership;

import java.util.List;
import java.util.Objects;

/**
 * A member's answer to a {@link JoinRequest} its {@link JoinPolicy} refused: the joiner is of
 * another cluster, or new at an address a member still holds. {@code reason} is written for the
 * operator and says what to do.
 */
public record JoinRefused(String reason, List<Member> updates) implements SwimMessage {

    public JoinRefused {
        Objects.requireNonNull(reason, "reason");
        updates = List.copyOf(updates);
    }
}
