package io.dynakv.faults.cluster;

import java.util.List;
import java.util.Set;

/**
 * Where the nodes live on the network and how they are cut from each other. Node slots are 0-based;
 * a replacement node takes the slot (and so the host) of the node it replaces.
 */
public interface Network extends AutoCloseable {

    /** A directed link whose packets are dropped: {@code to} no longer receives from {@code from}. */
    record Cut(int from, int to) {}

    /** The address slot {@code slot}'s node binds and advertises. */
    String host(int slot);

    /** What to put before {@code java ...} to run a process in the slot's place ({@code ip netns exec ...}). */
    List<String> launchPrefix(int slot);

    /** Whether {@link #cut} can drop traffic between nodes. */
    boolean canPartition();

    /** Drops the packets of every given link (replacing any cut in force). */
    void cut(Set<Cut> cuts);

    /** Lets every packet through again. */
    void heal();

    /** Removes everything this network created; safe to call twice. */
    @Override
    void close();
}
