package io.dynakv.sim;

import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.common.NodeId;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.MessageHandler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Fault model (after TigerBeetle's packet simulator): every message travels alone (no connection
 * state) with a latency drawn uniformly from a range, so messages overtake each other; a message
 * may be lost, duplicated, or held back longer (reordering). Links can be cut in one direction
 * (asymmetric partition), both directions (symmetric), or all links of one node (isolation); a cut
 * drops what is sent while it lasts and what is in flight when it is delivered. A crashed node
 * neither sends nor receives, and messages in flight to it are dropped even if it restarts before
 * they arrive (its connections died with it). Messages are never corrupted: the real transport's
 * checksummed frames turn corruption into loss, which is modelled.
 */
public final class SimNetwork {

    /** Sees every send, before faults apply: the simulator's traffic accounting. */
    @FunctionalInterface
    public interface SendObserver {
        void onSend(NodeId from, Message message);
    }

    private record Link(NodeId from, NodeId to) {}

    private static final class Endpoint {
        final String address;
        final MessageHandler handler;
        final long generation;

        Endpoint(String address, MessageHandler handler, long generation) {
            this.address = address;
            this.handler = handler;
            this.generation = generation;
        }
    }

    private final Simulator sim;
    private final SplittableRandom random;
    private final TreeMap<NodeId, Endpoint> endpoints = new TreeMap<>();
    private final TreeMap<String, NodeId> byAddress = new TreeMap<>();
    private final Set<Link> cut = new HashSet<>(); // only looked up, never iterated
    private final List<SendObserver> observers = new ArrayList<>();
    private NetworkOptions options;
    private long generations;
    private long sent;
    private long delivered;

    public SimNetwork(Simulator sim, NetworkOptions options) {
        this.sim = sim;
        this.random = sim.split();
        this.options = Objects.requireNonNull(options, "options");
    }

    public void setOptions(NetworkOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public NetworkOptions options() {
        return options;
    }

    public void addObserver(SendObserver observer) {
        observers.add(observer);
    }

    /** A node (re)starts: it receives messages sent from now on to its id or its address. */
    public void attach(NodeId id, String address, MessageHandler handler) {
        Endpoint old = endpoints.get(id);
        if (old != null) {
            byAddress.remove(old.address);
        }
        endpoints.put(id, new Endpoint(address, handler, ++generations));
        byAddress.put(address, id);
    }

    /** The node's process dies: it stops sending and receiving; in-flight messages to it are lost. */
    public void crash(NodeId id) {
        Endpoint e = endpoints.remove(id);
        if (e != null) {
            byAddress.remove(e.address);
        }
    }

    public boolean isUp(NodeId id) {
        return endpoints.containsKey(id);
    }

    /** Cuts every link from a node in {@code from} to a node in {@code to}, one direction only. */
    public void cutOneWay(Collection<NodeId> from, Collection<NodeId> to) {
        for (NodeId a : from) {
            for (NodeId b : to) {
                if (!a.equals(b)) {
                    cut.add(new Link(a, b));
                }
            }
        }
    }

    /** A symmetric partition between two groups. */
    public void partition(Collection<NodeId> groupA, Collection<NodeId> groupB) {
        cutOneWay(groupA, groupB);
        cutOneWay(groupB, groupA);
    }

    /** Cuts one node off from every other (known now) in both directions. */
    public void isolate(NodeId node) {
        partition(List.of(node), List.copyOf(endpoints.keySet()));
    }

    /** Restores every link. */
    public void heal() {
        cut.clear();
    }

    public long sentCount() {
        return sent;
    }

    public long deliveredCount() {
        return delivered;
    }

    /** The transport a node's protocol code uses to send. */
    public MembershipTransport transport(NodeId self) {
        return new MembershipTransport() {
            @Override
            public void send(NodeId to, Message message) {
                SimNetwork.this.send(self, to, message);
            }

            @Override
            public void sendToAddress(String address, Message message) {
                NodeId to = byAddress.get(address);
                if (to == null) {
                    countSend(self, message); // sent into the void: nobody listens there
                } else {
                    SimNetwork.this.send(self, to, message);
                }
            }
        };
    }

    private void countSend(NodeId from, Message message) {
        sent++;
        for (SendObserver o : observers) {
            o.onSend(from, message);
        }
    }

    private void send(NodeId from, NodeId to, Message message) {
        countSend(from, message);
        Endpoint target = endpoints.get(to);
        if (!endpoints.containsKey(from) || target == null || cut.contains(new Link(from, to))) {
            return;
        }
        int copies = random.nextDouble() < options.duplicateProbability() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            if (random.nextDouble() < options.lossProbability()) {
                continue;
            }
            long latency = options.minLatencyNanos()
                    + random.nextLong(options.maxLatencyNanos() - options.minLatencyNanos() + 1);
            if (options.reorderProbability() > 0 && random.nextDouble() < options.reorderProbability()) {
                latency += random.nextLong(options.reorderDelayNanos() + 1);
            }
            long generation = target.generation;
            sim.schedule(latency, () -> deliver(from, to, generation, message));
        }
    }

    private void deliver(NodeId from, NodeId to, long generation, Message message) {
        Endpoint target = endpoints.get(to);
        if (target == null || target.generation != generation || cut.contains(new Link(from, to))) {
            return;
        }
        delivered++;
        sim.trace().add(sim.nowNanos());
        sim.trace().add(from.value());
        sim.trace().add(to.value());
        sim.trace().add(message.toString());
        target.handler.onMessage(from, message);
    }
}
