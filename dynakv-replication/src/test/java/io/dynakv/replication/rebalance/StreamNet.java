package io.dynakv.replication.rebalance;

import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Nodes on one thread in virtual time, as in the simulator (STYLE section 2): events run in (time,
 * sequence number) order. Fault model, all from one seed: each message is lost with probability
 * {@code lossRate}, delivered twice with probability {@code duplicateRate}, and takes a latency
 * drawn from {@code [1 ms, maxLatencyNanos]} (so messages overtake each other); a message to or
 * from a node marked down is lost; {@link #dropWhen} loses chosen messages. Storage never fails.
 */
final class StreamNet implements Clock, Scheduler, SourceStatus {

    static final long MIN_LATENCY_NANOS = 1_000_000;

    record Sent(long atNanos, NodeId from, NodeId to, Message message) {}

    private record Event(long atNanos, long seq, Runnable task, boolean[] cancelled) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.seq, b.seq));
    private final Map<NodeId, BiConsumer<NodeId, Message>> handlers = new HashMap<>();
    private final Set<NodeId> down = new HashSet<>();
    private final Set<NodeId> left = new HashSet<>();
    private final SplittableRandom random;
    private final double lossRate;
    private final double duplicateRate;
    private final long maxLatencyNanos;
    private Predicate<Sent> drop = s -> false;
    private long nowNanos;
    private long seq;

    /** Every send, lost or not, in order. */
    final List<Sent> sent = new ArrayList<>();

    StreamNet(long seed, double lossRate, double duplicateRate, long maxLatencyNanos) {
        this.random = new SplittableRandom(seed);
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.maxLatencyNanos = maxLatencyNanos;
    }

    /** A network that delivers everything once, after exactly 1 ms. */
    static StreamNet reliable() {
        return new StreamNet(0, 0, 0, MIN_LATENCY_NANOS);
    }

    @Override
    public long nowNanos() {
        return nowNanos;
    }

    @Override
    public long wallMillis() {
        return 1_700_000_000_000L + nowNanos / 1_000_000;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Event(nowNanos + delayNanos, seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    void register(NodeId node, BiConsumer<NodeId, Message> handler) {
        handlers.put(node, handler);
    }

    void dropWhen(Predicate<Sent> drop) {
        this.drop = drop;
    }

    void down(NodeId node) {
        down.add(node);
    }

    void up(NodeId node) {
        down.remove(node);
    }

    /** {@code node} leaves the cluster for good: down, and known never to return. */
    void leave(NodeId node) {
        down.add(node);
        left.add(node);
    }

    @Override
    public boolean isUp(NodeId node) {
        return !down.contains(node);
    }

    @Override
    public boolean hasLeft(NodeId node) {
        return left.contains(node);
    }

    Transport transport(NodeId from) {
        return (to, message) -> {
            Sent s = new Sent(nowNanos, from, to, message);
            sent.add(s);
            if (down.contains(from) || down.contains(to) || drop.test(s) || random.nextDouble() < lossRate) {
                return;
            }
            int copies = random.nextDouble() < duplicateRate ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                schedule(latency(), () -> {
                    if (!down.contains(to)) {
                        handlers.get(to).accept(from, message);
                    }
                });
            }
        };
    }

    /** Sends of {@code type} from {@code from} to {@code to} so far. */
    long count(Class<? extends Message> type, NodeId from, NodeId to) {
        return sent.stream()
                .filter(s -> type.isInstance(s.message()) && s.from().equals(from) && s.to().equals(to))
                .count();
    }

    /** Runs events until none is left. */
    void run() {
        runUntil(() -> false, Long.MAX_VALUE);
    }

    /** Runs events until {@code done}, no event is left, or virtual time would pass {@code untilNanos}. */
    void runUntil(BooleanSupplier done, long untilNanos) {
        while (!queue.isEmpty() && !done.getAsBoolean() && queue.peek().atNanos <= untilNanos) {
            Event e = queue.poll();
            if (!e.cancelled[0]) { // a cancelled timer does not move time
                nowNanos = e.atNanos;
                e.task.run();
            }
        }
    }

    private long latency() {
        return maxLatencyNanos <= MIN_LATENCY_NANOS
                ? MIN_LATENCY_NANOS
                : random.nextLong(MIN_LATENCY_NANOS, maxLatencyNanos + 1);
    }
}
