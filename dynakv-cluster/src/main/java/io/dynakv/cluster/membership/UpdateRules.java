package io.dynakv.cluster.membership;

/**
 * Which of two claims about the same member wins: the order of SWIM section 4.2, extended so that
 * DEAD is not final (a member that returns announces a higher incarnation) and LEFT is.
 *
 * <p>The rules make merging commutative enough for gossip: every node applies the same claims in
 * whatever order they arrive and ends with the same state once it has seen them all.
 */
public final class UpdateRules {

    private UpdateRules() {}

    /** Whether {@code incoming} replaces {@code current}, both about the same member. */
    public static boolean supersedes(Member incoming, Member current) {
        if (!incoming.id().equals(current.id())) {
            throw new IllegalArgumentException("claims about different members");
        }
        if (current.status() == MemberStatus.LEFT) {
            return false; // removal is for good
        }
        long in = incoming.incarnation();
        long cur = current.incarnation();
        switch (incoming.status()) {
            case LEFT:
                return true;
            case ALIVE:
                // {Alive Ml, inc=i} overrides {Suspect Ml, inc=j} and {Alive Ml, inc=j} for i > j;
                // we let it override Dead too, which is how a restarted member returns.
                return in > cur;
            case SUSPECT:
                // {Suspect Ml, inc=i} overrides {Alive Ml, inc=j} for i >= j, {Suspect Ml, inc=j}
                // for i > j; a suspicion about an older life never revives or re-kills a DEAD one.
                return current.status() == MemberStatus.ALIVE ? in >= cur : in > cur;
            case DEAD:
                // {Confirm Ml} overrides alive and suspect claims of the same incarnation.
                return current.status() == MemberStatus.DEAD ? in > cur : in >= cur;
            default:
                throw new IllegalStateException("unknown status " + incoming.status());
        }
    }
}
