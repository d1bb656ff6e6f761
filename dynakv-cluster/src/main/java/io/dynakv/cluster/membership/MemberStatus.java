package io.dynakv.cluster.membership;

/**
 * A member's state as one node sees it. Each change travels with the member's incarnation number;
 * {@link UpdateRules} says which of two claims about a member wins.
 */
public enum MemberStatus {
    /** Answers probes (directly or through others) in its current incarnation. "up" in the API. */
    ALIVE,
    /**
     * Missed a direct and every indirect probe; still counted as a member (SWIM section 4.2) until
     * its suspicion timeout ends, unless it refutes with a higher incarnation first. "suspect".
     */
    SUSPECT,
    /**
     * Stayed suspected for the whole suspicion timeout ("confirm" in SWIM section 4.2). "down" in
     * the API. Not removed: a down node keeps its partitions (DESIGN section 3) and comes back
     * ALIVE when it announces a higher incarnation, after a restart or a healed partition.
     */
    DEAD,
    /**
     * Left the cluster for good, by a graceful leave or by an operator's explicit removal. Final:
     * no later claim overrides it; the same node id never rejoins.
     */
    LEFT;

    /** Whether a member in this state counts as part of the cluster (probed, holds replicas). */
    public boolean isActive() {
        return this == ALIVE || this == SUSPECT;
    }
}
