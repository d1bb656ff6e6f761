package io.dynakv.transport;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Which cluster this node belongs to, as its handshakes state it, and who hears about nodes of
 * another cluster that knock. A cluster id is a random non-zero number drawn when the first node
 * founds the cluster; every member keeps it in its metadata and a joiner adopts it from the member
 * that admits it. {@link #NONE} (a joiner not yet admitted) matches any cluster, so a new node can
 * join, but two nodes that both know their cluster and differ never exchange a frame: a node wiped
 * and restarted on its old address founds a new cluster and cannot be mistaken for its former self.
 * Thread-safe: the id is set on the control loop and read by the transport's.
 */
public final class ClusterIdentity {

    /** The id of a node that belongs to no cluster yet. */
    public static final long NONE = 0;

    /**
     * A connection refused because the two ends are not what each other expects: another cluster,
     * or, at a member's address, another node.
     *
     * @param peerNode the other end's proven node id
     * @param peerAddress the node-to-node address the other end dialed from
     * @param peerContact the address operators name the other end by (its HTTP address)
     * @param peerCluster the other end's cluster id
     * @param expectedHere the node the dialer meant to reach here; {@code 0} when it named none
     */
    public record Conflict(
            long peerNode, String peerAddress, String peerContact, long peerCluster, long expectedHere) {}

    private volatile long id;
    private volatile Consumer<Conflict> onConflict = conflict -> {};

    public ClusterIdentity(long id) {
        this.id = id;
    }

    public static ClusterIdentity none() {
        return new ClusterIdentity(NONE);
    }

    public long id() {
        return id;
    }

    /** Joined (or founded) a cluster: later handshakes state {@code clusterId}. */
    public void set(long clusterId) {
        this.id = clusterId;
    }

    /** Called on the transport's loop for every inbound connection refused for its identity. */
    public void onConflict(Consumer<Conflict> listener) {
        this.onConflict = Objects.requireNonNull(listener, "listener");
    }

    void conflict(Conflict conflict) {
        onConflict.accept(conflict);
    }

    /** Whether nodes of clusters {@code a} and {@code b} may talk: equal, or one of them has none yet. */
    static boolean compatible(long a, long b) {
        return a == NONE || b == NONE || a == b;
    }

    public static String format(long clusterId) {
        return String.format(Locale.ROOT, "%016x", clusterId);
    }
}
