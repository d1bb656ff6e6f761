package io.dynakv.cluster.membership;

/**
 * Told of every change of a member's status or address (the ring listens to rebuild preference
 * lists). Called on the membership's event loop, after the change is applied; must not block.
 */
@FunctionalInterface
public interface MembershipListener {

    /**
     * @param previous the member as it was, or {@code null} when it was unknown until now
     * @param current the member as it is now
     */
    void onMemberChange(Member previous, Member current);
}
