package io.dynakv.sim;

import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Partitioner;
import io.dynakv.common.CausalContext;
import io.dynakv.common.Hlc;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.antientropy.AntiEntropyMessage;
import io.dynakv.replication.antientropy.AntiEntropyResponder;
import io.dynakv.replication.antientropy.AntiEntropyScheduler;
import io.dynakv.replication.antientropy.AntiEntropySession;
import io.dynakv.replication.antientropy.ByteBudget;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Coordinator;
import io.dynakv.replication.coordinator.DotLease;
import io.dynakv.replication.coordinator.ForwardedWrites;
import io.dynakv.replication.coordinator.HintSink;
import io.dynakv.replication.coordinator.LocalReplicaGateway;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.RemoteReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.coordinator.ReplicaServer;
import io.dynakv.replication.coordinator.RoutingReplicaGateway;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.message.ForwardWriteRequest;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.replication.replica.TombstoneHorizons;
import io.dynakv.replication.replica.TombstoneReaper;
import io.dynakv.storage.InMemoryStorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Issue 3 item 8(b): the replication layer (coordinators, replicas, the replica protocol) on the
 * deterministic simulator, under a random workload and random faults, then healed and checked by
 * {@link ReplicationChecker}. One seed fixes the node count, ids, clocks, workload and faults.
 *
 * <p><b>Cluster.</b> N = 3 replicas per key on a static {@link PartitionTable} of 3 to 5 nodes
 * (no membership changes in this layer). Each node runs an {@link InMemoryStorageEngine} (its
 * disk, which outlives the process), a {@link Replica}, a simulated group committer
 * ({@link SimGroupCommitter}: acknowledgements wait for a simulated fsync), a {@link Coordinator}
 * whose {@link RoutingReplicaGateway} reaches its own replica directly and the others through a
 * {@link RemoteReplicaGateway} over {@link SimNetwork}, and a {@link ReplicaServer}. Messages are
 * the replica-protocol records themselves (no codec), wrapped in a {@link Wire} that names the
 * requesting process's connection, because real replies go back on the connection the request
 * came in on: a reply to a process that has since restarted is dropped, as its connection died.
 *
 * <p><b>Workload.</b> Clients, one request in flight each, issue PUT (each with a value no other
 * write uses), GET and DELETE over {@code keys} keys, at W and R from the options (quorum), to a
 * running node of the key's preference list (or any running node with {@code anyCoordinator}),
 * half of the writes with the causal context of the client's last read or write of the key.
 * A client gives up on a request after {@value #CLIENT_TIMEOUT_MS} ms.
 *
 * <p><b>Faults and the bound enforced.</b> Every node's clock has its own offset and drift
 * ({@link SimClock}); with {@code maxClockStepNanos}, wall clocks are also off by up to minutes
 * and stepped forward and back during the run, far past the HLC's drift bound; the network
 * weather changes at random (loss up to 10%, duplication up to 5%,
 * up to 30% of messages held back up to 100 ms, on top of 1-10 ms latency). <em>At most one node
 * is faulted at a time</em> (crashed, isolated by a symmetric partition, or isolated and then
 * crashed), so at most N - W = 1 replica of any key is down or cut off at once. A crash stops the
 * node's timers, drops its in-flight messages and its process state and, as a machine crash
 * ({@code machineCrash}), loses every write its disk had not fsynced; the node restarts later on
 * the same disk. With {@code accidents} a fault may also be a full disk (every write refused,
 * metadata too, reads served), a wipe (the node restarts at once on an empty data directory, so
 * under a new actor, refuses reads and has its writes forwarded until its keys have streamed back
 * in from the other replicas at the fault's end), or a restart storm (killed and restarted every
 * few milliseconds). Every stored vector must keep at most one entry per data directory that
 * ever existed in the run. No fault corrupts stored bytes.
 *
 * <p><b>Tombstone GC</b> ({@link TombstoneGcOptions}, off unless asked for). Every node also runs
 * anti-entropy rounds with its co-replicas and the {@link TombstoneReaper} with a short grace, both
 * timed by its own clock, and the nemesis gains the <em>long outage</em>: a node crashed for several
 * times the grace while the others delete keys it holds and purge what they may. After the
 * replicas agree, every tombstone past the grace must be gone within {@link #TOMBSTONE_DRAIN_NANOS}
 * (bounded metadata).
 *
 * <p><b>Heal.</b> After the workload the faulted node is restored, the weather cleared, in-flight
 * requests drained. There is no anti-entropy or hinted handoff yet, so convergence comes from read
 * repair: every key is read with R = all through one of its replicas, which writes the newest
 * version to every replica that lacks it; keys still apart are read again every 100 ms, until all
 * replicas hold equal versions or the tick budget ({@code healBudgetNanos}) runs out.
 */
public final class ReplicationSimulation {

    static final String TABLE = "t";
    static final int PARTITIONS = 16;
    static final int REPLICATION_FACTOR = 3;
    static final long MS = 1_000_000L;
    static final long COORDINATOR_TIMEOUT_NANOS = 300 * MS;
    static final long CLIENT_TIMEOUT_MS = 1000;
    private static final String INCOMPLETE = "wiped: streaming its keys back in, reads refused";
    private static final long REPAIR_ROUND_NANOS = 100 * MS;
    private static final long INVARIANT_CHECK_NANOS = 50 * MS;
    private static final ConsistencyLevel ALL = ConsistencyLevel.parse("all");

    /**
     * A replica-protocol message on the simulated wire. {@code connection} is the boot generation
     * of the process that sent the request (for a request and for its reply alike).
     */
    record Wire(long connection, Message inner) implements Message {}

    /** How a run went; {@code violations} is empty when every rule held. */
    public record Result(
            long seed,
            int nodes,
            long traceHash,
            long steps,
            int ops,
            int ackedWrites,
            int ackedDeletes,
            int okReads,
            int failedOps,
            int crashes,
            int isolations,
            int clockSteps,
            int unsyncedKeysLost,
            long healNanos,
            List<String> violations) {

        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "seed=%d nodes=%d ops=%d (acked puts %d, acked deletes %d, ok reads %d, failed %d)"
                            + " crashes=%d isolations=%d clock-steps=%d unsynced-keys-lost=%d converged-in=%s"
                            + " trace=%016x",
                    seed,
                    nodes,
                    ops,
                    ackedWrites,
                    ackedDeletes,
                    okReads,
                    failedOps,
                    crashes,
                    isolations,
                    clockSteps,
                    unsyncedKeysLost,
                    healNanos < 0 ? "NEVER" : (healNanos / MS) + "ms",
                    traceHash);
        }
    }

    private enum Fault {
        CRASH,
        ISOLATE,
        ISOLATE_THEN_CRASH,
        /** The node's disk refuses every write (metadata too) while reads go on. */
        FULL_DISK,
        /** The node loses its whole data directory and starts on an empty one, then streams its keys back. */
        WIPE,
        /** The node is killed and restarted again and again, a few milliseconds apart. */
        RESTARTS,
        /** A crash for longer than the tombstone grace (with tombstone GC on). */
        LONG_OUTAGE
    }

    /** Dots per lease in the simulation: small, so renewals (and a full disk's refusals) happen often. */
    private static final long DOT_LEASE_BLOCK = 16;

    /** How long a simulated metadata write (its fsync) takes. */
    private static final long META_WRITE_NANOS = MS;

    /** Anti-entropy rounds compare small partitions: few leaves, short rounds, no bandwidth limit. */
    private static final AntiEntropySession.Settings ANTI_ENTROPY =
            new AntiEntropySession.Settings(16, 64, 200 * MS, 1L << 30, 1L << 20);

    private static final int REAPER_RECORDS_PER_TICK = 64;

    /** How long after convergence every tombstone past the grace must be gone (rule 5). */
    private static final long TOMBSTONE_DRAIN_NANOS = 3000 * MS;

    /** One simulated machine: its id, clock and disk outlive its processes. */
    private final class Node {
        final NodeId id;
        final String address;
        final SimClock clock;
        /** Draws the actor id of each data directory the node gets. */
        final SplittableRandom actorIds;

        SimDisk disk;
        final MembershipTransport net;
        long generation;
        boolean running;
        /** Wiped and not yet streamed back: refuses reads, so no quorum counts its empty copy. */
        boolean incomplete;
        /** What each key held at the last invariant check; cleared by a machine crash. */
        final TreeMap<String, Versioned> lastChecked = new TreeMap<>();

        SimScheduler scheduler;
        Replica replica;
        SimGroupCommitter committer;
        RemoteReplicaGateway remote;
        Coordinator coordinator;
        AntiEntropyScheduler antiEntropy;
        AntiEntropyResponder responder;
        /** The connection of the anti-entropy request being answered: its reply goes back on it. */
        long responderConnection;

        Node(NodeId id, String address, SimClock clock, SplittableRandom actorIds) {
            this.id = id;
            this.address = address;
            this.clock = clock;
            this.actorIds = actorIds;
            this.disk = new SimDisk(address);
            this.net = network.transport(id);
        }
    }

    /** A client: one request at a time, remembering the last version it saw of each key. */
    private static final class Client {
        final int index;
        final SplittableRandom random;
        final TreeMap<String, Versioned> lastSeen = new TreeMap<>();
        boolean busy;
        long writes;

        Client(int index, SplittableRandom random) {
            this.index = index;
            this.random = random;
        }
    }

    private final ReplicationOptions options;
    private final TombstoneGcOptions gc;
    private final Simulator sim;
    private final SimNetwork network;
    private final SplittableRandom nemesisRandom;
    /** Draws the clock faults; split only when they are on, so runs without them replay as before. */
    private final SplittableRandom clockRandom;

    private final ReplicationChecker checker;
    private final ReplicationStats stats = new ReplicationStats();
    private final List<Node> nodes = new ArrayList<>();
    private final TreeMap<NodeId, Node> byId = new TreeMap<>();
    private final List<Client> clients = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final TreeMap<String, KeyRef> keyRefs = new TreeMap<>();
    private final PartitionTable table;
    private boolean workloadOpen;
    private Node faulted;
    private Fault fault;
    private long faultToken;
    private int crashes;
    private int isolations;
    private int unsyncedKeysLost;
    private int wipes;
    private int clockSteps;

    public ReplicationSimulation(long seed, ReplicationOptions options) {
        this(seed, options, TombstoneGcOptions.off());
    }

    public ReplicationSimulation(long seed, ReplicationOptions options, TombstoneGcOptions gc) {
        this.options = Objects.requireNonNull(options, "options");
        this.gc = Objects.requireNonNull(gc, "gc");
        this.sim = new Simulator(seed);
        this.network = new SimNetwork(sim, NetworkOptions.lan());
        this.checker = new ReplicationChecker(seed, gc.enabled());
        SplittableRandom setup = sim.split();
        this.nemesisRandom = sim.split();
        int count = options.minNodes() + setup.nextInt(options.maxNodes() - options.minNodes() + 1);
        TreeSet<NodeId> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            NodeId id = new NodeId(setup.nextLong());
            while (!ids.add(id)) {
                id = new NodeId(setup.nextLong());
            }
            long skew = options.maxSkewNanos() == 0
                    ? 0
                    : setup.nextLong(-options.maxSkewNanos(), options.maxSkewNanos() + 1);
            long drift =
                    options.maxDriftPpm() == 0 ? 0 : setup.nextLong(-options.maxDriftPpm(), options.maxDriftPpm() + 1);
            Node n = new Node(id, "node" + (i + 1) + ".sim:16660", new SimClock(sim, skew, drift), sim.split());
            nodes.add(n);
            byId.put(id, n);
        }
        this.table = PartitionTable.initial(ids, PARTITIONS, REPLICATION_FACTOR);
        Partitioner partitioner = new Partitioner(PARTITIONS);
        byte[] tableBytes = TABLE.getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < options.keys(); k++) {
            String key = String.format(Locale.ROOT, "k%02d", k);
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            keys.add(key);
            keyRefs.put(key, new KeyRef(partitioner.partitionOf(tableBytes, bytes), TABLE, bytes));
        }
        for (int c = 0; c < options.clients(); c++) {
            clients.add(new Client(c, sim.split()));
        }
        this.clockRandom = options.maxClockStepNanos() > 0 ? sim.split() : null;
        if (clockRandom != null) {
            for (Node n : nodes) {
                if (clockRandom.nextBoolean()) {
                    n.clock.stepWall(
                            clockRandom.nextLong(-options.maxClockStepNanos(), options.maxClockStepNanos() + 1));
                }
            }
        }
    }

    public Simulator simulator() {
        return sim;
    }

    /** Runs the workload with faults, heals, converges and checks; the same seed gives the same result. */
    public Result run() {
        for (Node n : nodes) {
            boot(n);
        }
        workloadOpen = true;
        for (Client c : clients) {
            sim.schedule(c.random.nextLong(10 * MS), () -> nextRequest(c));
        }
        scheduleNemesis();
        if (clockRandom != null) {
            scheduleClockStep();
        }
        scheduleInvariantCheck();
        sim.runFor(options.workloadNanos());

        workloadOpen = false;
        endFault();
        network.setOptions(NetworkOptions.lan());
        network.heal();
        long drained = sim.runUntil(() -> clients.stream().noneMatch(c -> c.busy), MS, 2 * CLIENT_TIMEOUT_MS * MS);
        if (drained < 0) {
            checker.violation("clients still waiting %d ms after the workload ended", 2 * CLIENT_TIMEOUT_MS);
        }

        long healStart = sim.nowNanos();
        long healNanos = -1;
        List<String> apart = new ArrayList<>(keys); // round one reads every key
        while (true) {
            List<String> unconverged = unconvergedKeys();
            if (unconverged.isEmpty()) {
                healNanos = sim.nowNanos() - healStart;
                break;
            }
            if (sim.nowNanos() - healStart >= options.healBudgetNanos()) {
                for (String key : unconverged) {
                    checker.violation(
                            "(3) %s not converged within %d ms of healing: %s; history: %s",
                            key, options.healBudgetNanos() / MS, replicaStates(key), checker.opsOn(key));
                }
                break;
            }
            if (sim.nowNanos() > healStart) {
                apart = unconverged;
            }
            for (String key : apart) {
                repairRead(key);
            }
            sim.runFor(REPAIR_ROUND_NANOS);
        }
        if (healNanos >= 0) {
            TreeMap<String, Optional<Versioned>> finalState = new TreeMap<>();
            for (String key : keys) {
                KeyRef ref = keyRefs.get(key);
                NodeId first = table.preferenceList(ref.partition()).get(0);
                finalState.put(key, stored(byId.get(first), ref));
            }
            checker.checkFinal(finalState);
            if (gc.enabled()) {
                checkTombstonesPurged();
            }
        }
        return result(healNanos);
    }

    /** Tombstones the reapers purged in the run (with tombstone GC on): a check that GC did happen. */
    public long tombstonesPurged() {
        return stats.tombstonesPurged.sum();
    }

    /** The ops of the run, for failure reports. */
    public List<String> history(String key) {
        return checker.opsOn(key).stream().map(Object::toString).toList();
    }

    private Result result(long healNanos) {
        int ackedPuts = 0;
        int ackedDeletes = 0;
        int okReads = 0;
        int failed = 0;
        for (ReplicationChecker.Op op : checker.ops()) {
            if (!op.ok) {
                failed++;
            } else if (op.kind == ReplicationChecker.Kind.PUT) {
                ackedPuts++;
            } else if (op.kind == ReplicationChecker.Kind.DELETE) {
                ackedDeletes++;
            } else {
                okReads++;
            }
        }
        return new Result(
                sim.seed(),
                nodes.size(),
                sim.trace().value(),
                sim.steps(),
                checker.ops().size(),
                ackedPuts,
                ackedDeletes,
                okReads,
                failed,
                crashes,
                isolations,
                clockSteps,
                unsyncedKeysLost,
                healNanos,
                checker.violations());
    }

    // ---- nodes ----

    private void boot(Node n) {
        n.generation++;
        long generation = n.generation;
        SimScheduler scheduler = new SimScheduler(sim, n.clock);
        HlcClock hlc = new HlcClock(n.clock);
        Replica replica = new Replica(n.disk, hlc, stats, horizons(n, hlc));
        SimGroupCommitter committer = new SimGroupCommitter(
                scheduler, n.disk.engine(), sim.split(), MS / 2, 5 * MS, options.ackBeforeFsync());
        Transport out = (to, message) -> n.net.send(to, new Wire(generation, message));
        // Forwarded writes wait up to two coordinator timeouts: remember requests that long.
        RemoteReplicaGateway remote = new RemoteReplicaGateway(
                out, scheduler, 0, 2 * COORDINATOR_TIMEOUT_NANOS, RemoteReplicaGateway.DEFAULT_MAX_IN_FLIGHT);
        ReplicaGateway routing = new RoutingReplicaGateway(
                n.id,
                refusingReadsWhileIncomplete(n, new LocalReplicaGateway(n.id, replica, committer)),
                remote,
                id -> true);
        DotLease dots = DotLease.open(n.disk, n.actorIds::nextLong, DOT_LEASE_BLOCK, metaWriter(n, scheduler));
        n.scheduler = scheduler;
        n.replica = replica;
        n.committer = committer;
        n.remote = remote;
        n.coordinator = new Coordinator(
                n.id,
                dots,
                () -> table,
                recording(routing),
                hlc,
                scheduler,
                COORDINATOR_TIMEOUT_NANOS,
                stats,
                HintSink.NONE);
        n.running = true;
        network.attach(n.id, n.address, (from, message) -> onMessage(n, generation, from, message));
        if (gc.enabled()) {
            startTombstoneGc(n, generation, out, routing);
        }
    }

    /** The node's tombstone GC rule, on its own clock; {@code purgeByAgeAlone}: as if it were the only replica. */
    private TombstoneHorizons horizons(Node n, HlcClock hlc) {
        if (!gc.enabled()) {
            return TombstoneHorizons.neverPurging(hlc);
        }
        return new TombstoneHorizons(
                hlc,
                n.clock,
                gc.graceMillis(),
                p -> gc.purgeByAgeAlone()
                        ? Optional.of(List.of())
                        : TombstoneReaper.otherReplicas(n.id, table.preferenceList(p)));
    }

    /** Anti-entropy with the co-replicas and the tombstone reaper, on the node's own clock. */
    private void startTombstoneGc(Node n, long generation, Transport out, ReplicaGateway gateway) {
        n.responder = new AntiEntropyResponder(
                n.disk, (to, reply) -> n.net.send(to, new Wire(n.responderConnection, reply)), 64);
        n.antiEntropy = new AntiEntropyScheduler(
                n.id,
                generation << 32,
                n.disk,
                n.replica,
                out,
                gateway,
                n.scheduler,
                new ByteBudget(n.clock, 1L << 30, 1L << 20),
                ANTI_ENTROPY,
                gc.antiEntropyIntervalNanos(),
                new AntiEntropyScheduler.Placement(
                        () -> table.partitionsOf(n.id), table::preferenceList, id -> byId.get(id).running, p -> false));
        n.antiEntropy.start();
        new TombstoneReaper(
                        n.disk,
                        n.replica.horizons(),
                        n.scheduler,
                        stats,
                        table.partitionsOf(n.id),
                        REAPER_RECORDS_PER_TICK,
                        gc.reaperTickNanos())
                .start();
    }

    /** Metadata written off the node's loop: durable after a simulated fsync, never if it crashes first. */
    private static DotLease.MetaWriter metaWriter(Node n, SimScheduler scheduler) {
        SimDisk disk = n.disk;
        return (name, value, onDurable, onFailed) -> scheduler.schedule(META_WRITE_NANOS, () -> {
            try {
                disk.putMeta(name, value);
            } catch (RuntimeException e) {
                onFailed.accept(e);
                return;
            }
            onDurable.run();
        });
    }

    /** The local replica of a wiped node answers no read until its keys have streamed back in. */
    private static ReplicaGateway refusingReadsWhileIncomplete(Node n, ReplicaGateway local) {
        return new ReplicaGateway() {
            @Override
            public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
                if (n.incomplete) {
                    reply.accept(new ReplicaReply.Failed(INCOMPLETE));
                } else {
                    local.read(replica, key, reply);
                }
            }

            @Override
            public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
                local.write(replica, key, version, reply);
            }
        };
    }

    private void onMessage(Node n, long generation, NodeId from, Message message) {
        if (!n.running || n.generation != generation) {
            return;
        }
        Wire wire = (Wire) message;
        if (ReplicaServer.isRequest(wire.inner())) {
            long connection = wire.connection();
            Transport back = (to, reply) -> n.net.send(to, new Wire(connection, reply));
            if (n.incomplete && wire.inner() instanceof ReplicaReadRequest read) {
                back.send(from, new ReplicaFailure(read.requestId(), INCOMPLETE));
                return;
            }
            new ReplicaServer(n.id, n.replica, n.committer, back).onRequest(from, wire.inner());
        } else if (wire.inner() instanceof ForwardWriteRequest forwarded) {
            long connection = wire.connection();
            ForwardedWrites.serve(
                    n.coordinator, (to, reply) -> n.net.send(to, new Wire(connection, reply)), from, forwarded);
        } else if (wire.inner() instanceof AntiEntropyMessage ae) {
            onAntiEntropy(n, generation, from, wire.connection(), ae);
        } else if (wire.connection() == generation) {
            n.remote.onReply(from, wire.inner());
        }
    }

    private static void onAntiEntropy(Node n, long generation, NodeId from, long connection, AntiEntropyMessage m) {
        if (n.antiEntropy == null) {
            return;
        }
        if (m instanceof AntiEntropyMessage.HashesRequest || m instanceof AntiEntropyMessage.BucketRequest) {
            n.responderConnection = connection;
            n.responder.onMessage(from, m);
        } else if (connection == generation) {
            n.antiEntropy.onMessage(from, m);
        }
    }

    private void crash(Node n) {
        crashes++;
        n.running = false;
        n.scheduler.stop();
        network.crash(n.id);
        n.coordinator = null;
        if (options.machineCrash()) {
            unsyncedKeysLost += n.disk.crash();
            n.lastChecked.clear(); // unsynced versions may be gone: start a new baseline
        }
        sim.trace().add("crash " + n.id);
    }

    private void restart(Node n) {
        if (!n.running) {
            boot(n);
            sim.trace().add("restart " + n.id);
        }
    }

    /** Records the version of every write a coordinator sends, so the checker knows minted clocks. */
    private ReplicaGateway recording(ReplicaGateway delegate) {
        return new ReplicaGateway() {
            @Override
            public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
                delegate.read(replica, key, reply);
            }

            @Override
            public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
                checker.sent(key.keyText(), version);
                delegate.write(replica, key, version, reply);
            }
        };
    }

    // ---- workload ----

    private void nextRequest(Client c) {
        if (!workloadOpen) {
            return;
        }
        String key = keys.get(c.random.nextInt(keys.size()));
        KeyRef ref = keyRefs.get(key);
        double dice = c.random.nextDouble();
        ReplicationChecker.Kind kind = dice < 0.45
                ? ReplicationChecker.Kind.PUT
                : dice < 0.80 ? ReplicationChecker.Kind.GET : ReplicationChecker.Kind.DELETE;
        List<Node> candidates = new ArrayList<>();
        if (options.anyCoordinator()) {
            for (Node n : nodes) {
                if (n.running) {
                    candidates.add(n);
                }
            }
        } else {
            for (NodeId id : table.preferenceList(ref.partition())) {
                if (byId.get(id).running) {
                    candidates.add(byId.get(id));
                }
            }
        }
        Node coordinator = candidates.get(c.random.nextInt(candidates.size()));
        Versioned seen = c.lastSeen.get(key);
        boolean withContext = kind != ReplicationChecker.Kind.GET && seen != null && c.random.nextBoolean();
        String value = kind == ReplicationChecker.Kind.PUT ? "c" + c.index + "w" + (++c.writes) : null;
        ReplicationChecker.Op op =
                checker.issue(c.index, kind, key, coordinator.id, sim.nowNanos(), value, withContext);
        c.busy = true;
        boolean[] done = new boolean[1];
        Simulator.Event timeout = sim.schedule(CLIENT_TIMEOUT_MS * MS, () -> {
            if (!done[0]) {
                done[0] = true;
                checker.failed(op, "client timeout", sim.nowNanos());
                finish(c, op);
            }
        });
        if (kind == ReplicationChecker.Kind.GET) {
            coordinator.coordinator.read(ref, options.r(), outcome -> {
                if (done[0]) {
                    return;
                }
                done[0] = true;
                timeout.cancel();
                if (outcome instanceof Outcome.Ok<Optional<Versioned>> ok) {
                    checker.readDone(op, ok.value(), sim.nowNanos());
                    ok.value().ifPresent(v -> c.lastSeen.put(key, v));
                } else {
                    checker.failed(op, outcome.toString(), sim.nowNanos());
                }
                finish(c, op);
            });
        } else {
            Optional<CausalContext> context = withContext ? Optional.of(CausalContext.of(seen)) : Optional.empty();
            WriteRequest request = kind == ReplicationChecker.Kind.PUT
                    ? new WriteRequest(
                            ref, ValueKind.BYTES, value.getBytes(StandardCharsets.UTF_8), context, options.w())
                    : new WriteRequest(ref, ValueKind.TOMBSTONE, new byte[0], context, options.w());
            coordinator.coordinator.write(request, outcome -> {
                if (done[0]) {
                    return;
                }
                done[0] = true;
                timeout.cancel();
                if (outcome instanceof Outcome.Ok<Written> ok) {
                    checker.writeAcked(op, ok.value().version(), sim.nowNanos());
                    c.lastSeen.put(key, ok.value().version());
                } else {
                    checker.failed(op, outcome.toString(), sim.nowNanos());
                }
                finish(c, op);
            });
        }
    }

    private void finish(Client c, ReplicationChecker.Op op) {
        c.busy = false;
        sim.trace().add(op.toString());
        long think = c.random.nextLong(20 * MS);
        sim.schedule(think, () -> nextRequest(c));
    }

    // ---- faults ----

    private void scheduleNemesis() {
        sim.schedule(20 * MS + nemesisRandom.nextLong(280 * MS), () -> {
            if (workloadOpen) {
                nemesisStep();
                scheduleNemesis();
            }
        });
    }

    private void nemesisStep() {
        SplittableRandom r = nemesisRandom;
        if (options.networkWeather() && r.nextInt(3) == 0) {
            NetworkOptions weather = NetworkOptions.lan();
            if (r.nextBoolean()) {
                weather = weather.withLoss(r.nextDouble() * 0.10);
            }
            if (r.nextBoolean()) {
                weather = weather.withDuplication(r.nextDouble() * 0.05);
            }
            if (r.nextBoolean()) {
                weather = weather.withReordering(r.nextDouble() * 0.30, r.nextLong(100 * MS));
            }
            network.setOptions(weather);
            sim.trace().add("weather " + weather);
        }
        if (faulted != null || r.nextBoolean()) {
            return;
        }
        List<Fault> kinds = new ArrayList<>();
        if (options.crashes()) {
            kinds.add(Fault.CRASH);
        }
        if (options.isolations()) {
            kinds.add(Fault.ISOLATE);
        }
        if (options.crashes() && options.isolations()) {
            kinds.add(Fault.ISOLATE_THEN_CRASH);
        }
        if (options.accidents()) {
            kinds.add(Fault.FULL_DISK);
            kinds.add(Fault.WIPE);
            kinds.add(Fault.RESTARTS);
        }
        if (options.crashes() && gc.enabled() && gc.outageNanos() > 0) {
            kinds.add(Fault.LONG_OUTAGE);
        }
        if (kinds.isEmpty()) {
            return;
        }
        Node n = nodes.get(r.nextInt(nodes.size()));
        Fault f = kinds.get(r.nextInt(kinds.size()));
        long duration = f == Fault.LONG_OUTAGE
                ? gc.outageNanos() + r.nextLong(gc.outageNanos() / 2 + 1)
                : 50 * MS + r.nextLong(750 * MS);
        faulted = n;
        fault = f;
        long token = ++faultToken;
        sim.trace().add("fault " + f + " " + n.id + " for " + duration);
        switch (f) {
            case CRASH:
            case LONG_OUTAGE:
                crash(n);
                break;
            case ISOLATE:
            case ISOLATE_THEN_CRASH:
                isolations++;
                network.isolate(n.id);
                break;
            case FULL_DISK:
                n.disk.setFull(true);
                break;
            case WIPE:
                wipe(n);
                break;
            case RESTARTS:
                restartAgain(n, token, r);
                break;
        }
        if (f == Fault.ISOLATE_THEN_CRASH) {
            sim.schedule(r.nextLong(duration), () -> {
                if (faultToken == token && n.running) {
                    crash(n);
                }
            });
        }
        sim.schedule(duration, () -> {
            if (faultToken == token) {
                endFault();
            }
        });
    }

    /**
     * Steps one node's wall clock to a new offset within {@code maxClockStepNanos} of true time,
     * forward or back; independent of the one-faulted-node bound, since a wrong clock takes no
     * replica away.
     */
    private void scheduleClockStep() {
        sim.schedule(50 * MS + clockRandom.nextLong(450 * MS), () -> {
            if (!workloadOpen) {
                return;
            }
            Node n = nodes.get(clockRandom.nextInt(nodes.size()));
            long max = options.maxClockStepNanos();
            long target = clockRandom.nextLong(-max, max + 1);
            n.clock.stepWall(target - n.clock.wallStepNanos());
            clockSteps++;
            sim.trace().add("clock " + n.id + " stepped to " + target / MS + "ms");
            scheduleClockStep();
        });
    }

    /** Restores the faulted node, if any: heals its links and restarts it if it is down. */
    private void endFault() {
        if (faulted == null) {
            return;
        }
        faultToken++;
        if (fault == Fault.ISOLATE || fault == Fault.ISOLATE_THEN_CRASH) {
            network.heal();
        }
        faulted.disk.setFull(false);
        restart(faulted);
        if (faulted.incomplete) {
            streamBackIn(faulted);
        }
        sim.trace().add("healed " + faulted.id);
        faulted = null;
        fault = null;
    }

    /**
     * The node's data directory is lost: it restarts at once on an empty one (a new actor, as a new
     * directory gets) and refuses reads until {@link #streamBackIn} has copied its keys back.
     */
    private void wipe(Node n) {
        if (n.running) {
            crash(n);
        }
        wipes++;
        n.disk = new SimDisk(n.address + "#" + wipes);
        n.lastChecked.clear();
        n.incomplete = true;
        restart(n);
        sim.trace().add("wiped " + n.id);
    }

    /**
     * The wiped node streams every key it holds from the other replicas (the union of their
     * copies, as the rebalancer does when the previous owner is gone), makes it durable, and
     * serves reads again.
     */
    private void streamBackIn(Node n) {
        for (String key : keys) {
            KeyRef ref = keyRefs.get(key);
            if (!table.holds(n.id, ref.partition())) {
                continue;
            }
            for (NodeId other : table.preferenceList(ref.partition())) {
                if (!other.equals(n.id)) {
                    stored(byId.get(other), ref).ifPresent(v -> n.replica.apply(ref, v));
                }
            }
        }
        n.disk.sync();
        n.incomplete = false;
        sim.trace().add("streamed " + n.id);
    }

    /** Kills the node and brings it back a moment later, over and over until its fault ends. */
    private void restartAgain(Node n, long token, SplittableRandom r) {
        if (faultToken != token) {
            return;
        }
        if (n.running) {
            crash(n);
        }
        sim.schedule(MS + r.nextLong(5 * MS), () -> {
            if (faultToken == token) {
                restart(n);
                sim.schedule(2 * MS + r.nextLong(20 * MS), () -> restartAgain(n, token, r));
            }
        });
    }

    // ---- invariants ----

    private void scheduleInvariantCheck() {
        sim.schedule(INVARIANT_CHECK_NANOS, () -> {
            checkReplicaStates();
            scheduleInvariantCheck();
        });
    }

    /**
     * Checked every {@link #INVARIANT_CHECK_NANOS} (one pass over every node's copy of every key):
     * a replica's version of a key never goes back (each one descends the one seen before, unless
     * a machine crash came between), and a node outside a key's preference list stores nothing.
     */
    private void checkReplicaStates() {
        for (Node n : nodes) {
            for (String key : keys) {
                KeyRef ref = keyRefs.get(key);
                Optional<Versioned> now = stored(n, ref);
                if (!table.holds(n.id, ref.partition())) {
                    if (now.isPresent()) {
                        checker.violation("%s stores %s but holds no replica of it", n.id, key);
                    }
                    continue;
                }
                Versioned before = n.lastChecked.get(key);
                if (before != null && before.isTombstone() && gc.enabled()) {
                    // The reaper may have purged it since, and a new write found nothing to descend:
                    // the checker's rules judge what follows, not this replica's history.
                    n.lastChecked.remove(key);
                } else if (before != null && !ReplicationChecker.contains(now, before)) {
                    checker.violation(
                            "replica %s went back on %s at %d ms: from %s to %s",
                            n.id,
                            key,
                            sim.nowNanos() / MS,
                            ReplicationChecker.describe(before),
                            now.map(ReplicationChecker::describe).orElse("nothing"));
                }
                now.ifPresent(v -> n.lastChecked.put(key, v));
                now.ifPresent(v -> checkBounded(n, key, v));
            }
        }
    }

    /**
     * A version vector has at most one entry per actor that ever minted a write of the key, and an
     * actor is a data directory: restarts must not add entries (issue 9 item 5).
     */
    private void checkBounded(Node n, String key, Versioned v) {
        int dataDirectories = nodes.size() + wipes;
        if (v.clock().size() > dataDirectories) {
            checker.violation(
                    "(4) %s's vector on %s has %d entries, more than the %d data directories so far: %s",
                    key, n.id, v.clock().size(), dataDirectories, v.clock());
        }
    }

    /**
     * (5) Bounded metadata: once replicas agree, every tombstone goes. After {@link
     * #TOMBSTONE_DRAIN_NANOS} more of anti-entropy and reaping (no writes), no node may still hold
     * a tombstone older than the grace plus that time.
     */
    private void checkTombstonesPurged() {
        sim.runFor(TOMBSTONE_DRAIN_NANOS);
        for (Node n : nodes) {
            for (String key : keys) {
                Optional<Versioned> v = stored(n, keyRefs.get(key));
                long ageMillis = v.isPresent()
                        ? n.clock.wallMillis() - Hlc.millis(v.get().hlc())
                        : 0;
                if (v.isPresent()
                        && v.get().isTombstone()
                        && ageMillis > gc.graceMillis() + TOMBSTONE_DRAIN_NANOS / MS) {
                    checker.violation(
                            "(5) %s still holds the tombstone of %s, %d ms old, %d ms after the replicas agreed",
                            n.id, key, ageMillis, TOMBSTONE_DRAIN_NANOS / MS);
                }
            }
        }
    }

    // ---- heal and convergence ----

    private void repairRead(String key) {
        KeyRef ref = keyRefs.get(key);
        List<NodeId> replicas = table.preferenceList(ref.partition());
        Node via = byId.get(replicas.get(nemesisRandom.nextInt(replicas.size())));
        via.coordinator.read(ref, ALL, outcome -> sim.trace().add("repair " + key + " " + outcome));
    }

    private List<String> unconvergedKeys() {
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            if (!converged(key)) {
                out.add(key);
            }
        }
        return out;
    }

    /**
     * Every replica of the key holds the identical record (or none): {@link Versioned#equals}
     * compares clock, HLC, writer, kind and value, so equal clocks with different contents count
     * as apart. No other node holds any. With tombstone GC, a replica that purged the key's
     * tombstone agrees with the ones that hold it: each answers that the key is deleted, and the
     * others purge theirs in their own time.
     */
    private boolean converged(String key) {
        KeyRef ref = keyRefs.get(key);
        List<NodeId> replicas = table.preferenceList(ref.partition());
        Optional<Versioned> held = Optional.empty();
        boolean someHoldNothing = false;
        for (Node n : nodes) {
            Optional<Versioned> v = stored(n, ref);
            if (!replicas.contains(n.id)) {
                if (v.isPresent()) {
                    return false;
                }
            } else if (v.isEmpty()) {
                someHoldNothing = true;
            } else if (held.isEmpty()) {
                held = v;
            } else if (!held.equals(v)) {
                return false;
            }
        }
        if (!someHoldNothing || held.isEmpty()) {
            return true;
        }
        return gc.enabled() && held.get().isTombstone();
    }

    private String replicaStates(String key) {
        KeyRef ref = keyRefs.get(key);
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append(n.id)
                    .append(table.holds(n.id, ref.partition()) ? "(replica)" : "")
                    .append('=')
                    .append(stored(n, ref).map(ReplicationChecker::describe).orElse("nothing"))
                    .append("; ");
        }
        return sb.toString();
    }

    private static Optional<Versioned> stored(Node n, KeyRef ref) {
        return n.disk.get(ref.partition(), ref.table(), ref.key());
    }
}
