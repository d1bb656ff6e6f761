package io.dynakv.replication.quorum;

import io.dynakv.common.NodeId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Tracks the answers of one request's replicas. The request is WON once {@code required} replicas
 * succeeded and LOST once so many failed that {@code required} can no longer be reached (Dynamo
 * paper, section 4.5: R and W of N). A replica's second answer is ignored, so duplicated messages
 * cannot count twice.
 */
public final class QuorumTracker {

    /** Where the request stands. */
    public enum Vote {
        /** Not decided: more answers are needed. */
        PENDING,
        /** Enough replicas succeeded. */
        WON,
        /** Too many replicas failed for the quorum ever to be reached. */
        LOST
    }

    private final Set<NodeId> replicas;
    private final int required;
    private final Set<NodeId> succeeded = new HashSet<>();
    private final Set<NodeId> failed = new HashSet<>();

    public QuorumTracker(List<NodeId> replicas, int required) {
        if (required < 1 || required > replicas.size()) {
            throw new IllegalArgumentException(
                    "quorum of " + required + " is impossible with " + replicas.size() + " replicas");
        }
        this.replicas = Set.copyOf(replicas);
        this.required = required;
    }

    public Vote succeeded(NodeId replica) {
        if (replicas.contains(replica) && !failed.contains(replica)) {
            succeeded.add(replica);
        }
        return vote();
    }

    public Vote failed(NodeId replica) {
        if (replicas.contains(replica) && !succeeded.contains(replica)) {
            failed.add(replica);
        }
        return vote();
    }

    public Vote vote() {
        if (succeeded.size() >= required) {
            return Vote.WON;
        }
        return replicas.size() - failed.size() < required ? Vote.LOST : Vote.PENDING;
    }

    public int successes() {
        return succeeded.size();
    }

    public int required() {
        return required;
    }

    public int replicaCount() {
        return replicas.size();
    }
}
