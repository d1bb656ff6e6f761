package io.dynakv.faults.cluster;

import java.util.List;
import java.util.Set;

/**
 * Every node on 127.0.0.1 with its own ports: the fallback when the harness is not root. Nodes
 * cannot be cut from each other here (one loopback interface carries all their traffic), so the
 * nemesis leaves partitions out.
 */
public final class LoopbackNetwork implements Network {

    @Override
    public String host(int slot) {
        return "127.0.0.1";
    }

    @Override
    public List<String> launchPrefix(int slot) {
        return List.of();
    }

    @Override
    public boolean canPartition() {
        return false;
    }

    @Override
    public void cut(Set<Cut> cuts) {
        throw new UnsupportedOperationException("loopback nodes cannot be partitioned");
    }

    @Override
    public void heal() {
        // Nothing was ever cut.
    }

    @Override
    public String toString() {
        return "loopback (127.0.0.1, no partitions)";
    }

    @Override
    public void close() {
        // Nothing was created.
    }
}
