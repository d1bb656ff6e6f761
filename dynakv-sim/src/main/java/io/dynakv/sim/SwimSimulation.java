package io.dynakv.sim;

import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.cluster.membership.SwimConfig;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Many SWIM members on one simulated network, with the scenario commands tests need (start, join,
 * crash, restart) and invariants checked every protocol period. Fault model: that of
 * {@link SimNetwork} and {@link SimClock}; a crash loses all of a node's memory except its id,
 * address and last incarnation (kept in its metadata on disk in production).
 */
public final class SwimSimulation {

    /** One simulated machine: its identity and clock outlive its process. */
    public static final class Node {
        final int index;
        final NodeId id;
        final String address;
        final SimClock clock;
        SimScheduler scheduler;
        SwimMembership membership;
        long maxIncarnation;

        Node(int index, NodeId id, String address, SimClock clock) {
            this.index = index;
            this.id = id;
            this.address = address;
            this.clock = clock;
        }

        public NodeId id() {
            return id;
        }

        public SwimMembership membership() {
            return membership;
        }
    }

    private final Simulator sim;
    private final SimNetwork network;
    private final SwimConfig config;
    private final long maxSkewNanos;
    private final long maxDriftPpm;
    private final List<Node> nodes = new ArrayList<>();
    private final TreeMap<NodeId, Node> byId = new TreeMap<>();
    private final List<String> deaths = new ArrayList<>();
    private long[][] seenIncarnation = new long[0][0];
    private long messages;
    private long bytes;
    private long claims;

    public SwimSimulation(long seed, SwimConfig config, NetworkOptions options, long maxSkewNanos, long maxDriftPpm) {
        this.sim = new Simulator(seed);
        this.network = new SimNetwork(sim, options);
        this.config = config;
        this.maxSkewNanos = maxSkewNanos;
        this.maxDriftPpm = maxDriftPpm;
        network.addObserver((from, m) -> {
            messages++;
            bytes += WireSize.estimate(m);
            claims += WireSize.claimCount(m);
        });
        scheduleInvariantCheck();
    }

    public Simulator simulator() {
        return sim;
    }

    public SimNetwork network() {
        return network;
    }

    public SwimConfig config() {
        return config;
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    public int size() {
        return nodes.size();
    }

    /** Adds a machine, not yet running; its id, address and clock come from the seed. */
    public Node addNode() {
        SplittableRandom r = sim.random();
        NodeId id = new NodeId(r.nextLong());
        while (byId.containsKey(id)) {
            id = new NodeId(r.nextLong());
        }
        int i = nodes.size();
        String address = String.format(Locale.ROOT, "node%d.sim:6660", i + 1);
        long skew = maxSkewNanos == 0 ? 0 : r.nextLong(-maxSkewNanos, maxSkewNanos + 1);
        long drift = maxDriftPpm == 0 ? 0 : r.nextLong(-maxDriftPpm, maxDriftPpm + 1);
        Node node = new Node(i, id, address, new SimClock(sim, skew, drift));
        nodes.add(node);
        byId.put(id, node);
        return node;
    }

    /** Starts node i as a cluster of one. */
    public void start(int i) {
        boot(nodes.get(i)).start();
    }

    /** Starts node i and joins through node {@code via}'s address. */
    public void join(int i, int via) {
        boot(nodes.get(i)).join(nodes.get(via).address);
    }

    /** Kills node i's process: its timers, its memory, its in-flight messages. */
    public void crash(int i) {
        Node n = nodes.get(i);
        n.scheduler.stop();
        network.crash(n.id);
        n.membership = null;
    }

    /** Restarts node i with a fresh process, one incarnation past its last, joining via another. */
    public void restart(int i, int via) {
        Node n = nodes.get(i);
        if (n.membership != null) {
            throw new IllegalStateException("node " + i + " is running");
        }
        join(i, via);
    }

    public boolean isUp(int i) {
        return nodes.get(i).membership != null;
    }

    private SwimMembership boot(Node n) {
        SimScheduler scheduler = new SimScheduler(sim, n.clock);
        long incarnation = n.membership == null && n.scheduler != null ? n.maxIncarnation + 1 : 0;
        SwimMembership m = new SwimMembership(
                n.id, n.address, network.transport(n.id), scheduler, n.clock, sim.split(), config, incarnation);
        m.addListener((before, after) -> {
            if (after.status() == MemberStatus.DEAD) {
                deaths.add(String.format(
                        Locale.ROOT, "t=%dms %s declared %s dead", sim.nowNanos() / 1_000_000, n.id, after.id()));
            }
        });
        n.scheduler = scheduler;
        n.membership = m;
        if (n.index < seenIncarnation.length) {
            java.util.Arrays.fill(seenIncarnation[n.index], 0); // a new process remembers nothing
        }
        n.maxIncarnation = Math.max(n.maxIncarnation, incarnation);
        network.attach(n.id, n.address, m);
        return m;
    }

    /** Every running node lists every other running node ALIVE (and nobody else active). */
    public boolean converged() {
        for (Node observer : nodes) {
            if (observer.membership == null) {
                continue;
            }
            int active = 0;
            for (Node subject : nodes) {
                if (subject.membership != null) {
                    active++;
                    if (status(observer, subject) != MemberStatus.ALIVE) {
                        return false;
                    }
                }
            }
            if (observer.membership.activeCount() != active) {
                return false;
            }
        }
        return true;
    }

    /** Every running node other than {@code subject} holds it in {@code status}. */
    public boolean allSee(int subject, MemberStatus status) {
        Node s = nodes.get(subject);
        for (Node observer : nodes) {
            if (observer != s && observer.membership != null && status(observer, s) != status) {
                return false;
            }
        }
        return true;
    }

    public MemberStatus status(Node observer, Node subject) {
        return observer.membership.member(subject.id).map(Member::status).orElse(null);
    }

    /**
     * Runs until {@code done} holds, checking once per protocol period; returns the periods it
     * took, or -1 when {@code maxPeriods} passed first.
     */
    public long periodsUntil(BooleanSupplier done, long maxPeriods) {
        long period = config.protocolPeriodNanos();
        long took = sim.runUntil(done, period, maxPeriods * period);
        return took < 0 ? -1 : (took + period - 1) / period;
    }

    public void runPeriods(long periods) {
        sim.runFor(periods * config.protocolPeriodNanos());
    }

    /** Every DEAD declaration so far, with time, observer and subject. */
    public List<String> deaths() {
        return List.copyOf(deaths);
    }

    public void resetTraffic() {
        messages = 0;
        bytes = 0;
        claims = 0;
    }

    public long messages() {
        return messages;
    }

    public long bytes() {
        return bytes;
    }

    public long claims() {
        return claims;
    }

    private void scheduleInvariantCheck() {
        sim.schedule(config.protocolPeriodNanos(), () -> {
            checkInvariants();
            scheduleInvariantCheck();
        });
    }

    /**
     * Checked every period: a running node sees itself ALIVE (or LEFT once removed); nobody's
     * claim about a member ever names an incarnation that member never had; and what one node
     * believes about another's incarnation never goes backwards (except to LEFT, which is final).
     */
    private void checkInvariants() {
        if (seenIncarnation.length < nodes.size()) {
            long[][] grown = new long[nodes.size()][nodes.size()];
            for (int i = 0; i < seenIncarnation.length; i++) {
                System.arraycopy(seenIncarnation[i], 0, grown[i], 0, seenIncarnation[i].length);
            }
            seenIncarnation = grown;
        }
        for (Node observer : nodes) {
            if (observer.membership == null) {
                continue;
            }
            observer.maxIncarnation = Math.max(observer.maxIncarnation, observer.membership.incarnation());
            for (Member m : observer.membership.members()) {
                checkClaim(observer, m);
            }
        }
    }

    private void checkClaim(Node observer, Member m) {
        Node subject = byId.get(m.id());
        if (subject == null) {
            throw new IllegalStateException("seed " + sim.seed() + ": unknown member " + m);
        }
        if (subject == observer && m.status() != MemberStatus.ALIVE && m.status() != MemberStatus.LEFT) {
            throw new IllegalStateException("seed " + sim.seed() + ": " + observer.id + " sees itself " + m);
        }
        if (m.incarnation()
                > Math.max(subject.maxIncarnation, subject.membership == null ? 0 : subject.membership.incarnation())) {
            throw new IllegalStateException("seed " + sim.seed() + ": invented incarnation " + m);
        }
        if (m.status() != MemberStatus.LEFT) {
            long before = seenIncarnation[observer.index][subject.index];
            if (m.incarnation() < before) {
                throw new IllegalStateException("seed " + sim.seed() + ": " + observer.id
                        + " went back from incarnation " + before + " to " + m);
            }
            seenIncarnation[observer.index][subject.index] = m.incarnation();
        }
    }
}
