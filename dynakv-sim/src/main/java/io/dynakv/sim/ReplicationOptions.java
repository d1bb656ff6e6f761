package io.dynakv.sim;

import io.dynakv.replication.coordinator.ConsistencyLevel;
import java.util.function.Consumer;

/**
 * The knobs of one {@link ReplicationSimulation} run. {@link #standard()} is what {@code mvn
 * verify} runs; the other settings exist to show that the checker can fail (a deliberately broken
 * cluster) and to reproduce known bugs of the replication layer.
 *
 * @param minNodes the run draws its node count from [minNodes, maxNodes] (static table, N = 3)
 * @param keys distinct keys the clients touch
 * @param clients concurrent clients, each with one request in flight at a time
 * @param workloadNanos virtual time during which clients issue requests and faults happen
 * @param w write quorum of every client PUT and DELETE
 * @param r read quorum of every client GET
 * @param crashes the nemesis crashes nodes (and restarts them later)
 * @param isolations the nemesis cuts one node off from all others (symmetric partition)
 * @param networkWeather the nemesis varies loss, duplication and reordering on every link
 * @param machineCrash a crash is a power loss that drops unsynced writes ({@code storage.crash()});
 *     false: a process kill, after which the disk still holds every write (RocksDB's WAL sits in
 *     the OS page cache)
 * @param ackBeforeFsync the deliberately broken disk: replicas acknowledge writes before fsync
 *     (like {@code --fsync=periodic}), and fsync only every 100 ms
 * @param anyCoordinator clients send a request to any running node; one that holds no replica of
 *     the key reads itself and forwards writes to a replica (Dynamo section 4.5). False: clients
 *     send only to running nodes of the key's preference list
 * @param accidents the nemesis also fills one node's disk (writes refused, reads go on), wipes one
 *     node's data directory (it restarts empty, under a new actor, and streams its keys back in
 *     before it serves reads again), and restarts one node many times in a row
 * @param maxSkewNanos each node's clock is offset by up to this, either sign
 * @param maxDriftPpm each node's clock drifts by up to this, either sign
 * @param healBudgetNanos the tick budget: after healing, replicas must agree within this
 * @param maxClockStepNanos clocks off by minutes (issue 9): each node's wall clock starts stepped
 *     by up to this, either sign, with probability one half, and the nemesis steps a node's wall
 *     clock forward or back during the run, keeping every node within this of true time; 0: none
 */
public record ReplicationOptions(
        int minNodes,
        int maxNodes,
        int keys,
        int clients,
        long workloadNanos,
        ConsistencyLevel w,
        ConsistencyLevel r,
        boolean crashes,
        boolean isolations,
        boolean networkWeather,
        boolean machineCrash,
        boolean ackBeforeFsync,
        boolean anyCoordinator,
        boolean accidents,
        long maxSkewNanos,
        long maxDriftPpm,
        long healBudgetNanos,
        long maxClockStepNanos) {

    public static final ConsistencyLevel ONE = ConsistencyLevel.parse("one");

    public ReplicationOptions {
        if (minNodes < 3 || maxNodes < minNodes || keys < 1 || clients < 1 || workloadNanos <= 0) {
            throw new IllegalArgumentException("bad shape");
        }
    }

    /**
     * What {@code mvn verify} runs: 3 to 5 nodes, 50 keys, 6 clients for 3 s of virtual time at
     * R = W = quorum, with every fault, coordinating at a replica of the key.
     */
    public static ReplicationOptions standard() {
        return new ReplicationOptions(
                3,
                5,
                50,
                6,
                3_000_000_000L,
                ConsistencyLevel.QUORUM,
                ConsistencyLevel.QUORUM,
                true,
                true,
                true,
                true,
                false,
                false,
                true,
                250_000_000L,
                200,
                5_000_000_000L,
                0);
    }

    public ReplicationOptions withQuorums(ConsistencyLevel newW, ConsistencyLevel newR) {
        return edit(b -> {
            b.w = newW;
            b.r = newR;
        });
    }

    public ReplicationOptions withMachineCrash(boolean newMachineCrash) {
        return edit(b -> {
            b.machineCrash = newMachineCrash;
        });
    }

    public ReplicationOptions withAckBeforeFsync(boolean newAckBeforeFsync) {
        return edit(b -> {
            b.ackBeforeFsync = newAckBeforeFsync;
        });
    }

    public ReplicationOptions withAnyCoordinator(boolean newAnyCoordinator) {
        return edit(b -> {
            b.anyCoordinator = newAnyCoordinator;
        });
    }

    public ReplicationOptions withAccidents(boolean newAccidents) {
        return edit(b -> {
            b.accidents = newAccidents;
        });
    }

    public ReplicationOptions withNodes(int newMin, int newMax) {
        return edit(b -> {
            b.minNodes = newMin;
            b.maxNodes = newMax;
        });
    }

    public ReplicationOptions withClockSteps(long newMaxClockStepNanos) {
        return edit(b -> {
            b.maxClockStepNanos = newMaxClockStepNanos;
        });
    }

    /** A copy with some settings changed: each {@code with} names only what it changes. */
    private ReplicationOptions edit(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The settings as mutable fields, so a new setting is listed here and in the record only. */
    private static final class Builder {
        int minNodes;
        int maxNodes;
        int keys;
        int clients;
        long workloadNanos;
        ConsistencyLevel w;
        ConsistencyLevel r;
        boolean crashes;
        boolean isolations;
        boolean networkWeather;
        boolean machineCrash;
        boolean ackBeforeFsync;
        boolean anyCoordinator;
        boolean accidents;
        long maxSkewNanos;
        long maxDriftPpm;
        long healBudgetNanos;
        long maxClockStepNanos;

        Builder(ReplicationOptions o) {
            minNodes = o.minNodes;
            maxNodes = o.maxNodes;
            keys = o.keys;
            clients = o.clients;
            workloadNanos = o.workloadNanos;
            w = o.w;
            r = o.r;
            crashes = o.crashes;
            isolations = o.isolations;
            networkWeather = o.networkWeather;
            machineCrash = o.machineCrash;
            ackBeforeFsync = o.ackBeforeFsync;
            anyCoordinator = o.anyCoordinator;
            accidents = o.accidents;
            maxSkewNanos = o.maxSkewNanos;
            maxDriftPpm = o.maxDriftPpm;
            healBudgetNanos = o.healBudgetNanos;
            maxClockStepNanos = o.maxClockStepNanos;
        }

        ReplicationOptions build() {
            return new ReplicationOptions(
                    minNodes,
                    maxNodes,
                    keys,
                    clients,
                    workloadNanos,
                    w,
                    r,
                    crashes,
                    isolations,
                    networkWeather,
                    machineCrash,
                    ackBeforeFsync,
                    anyCoordinator,
                    accidents,
                    maxSkewNanos,
                    maxDriftPpm,
                    healBudgetNanos,
                    maxClockStepNanos);
        }
    }
}
