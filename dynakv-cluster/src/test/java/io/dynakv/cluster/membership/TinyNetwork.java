package io.dynakv.cluster.membership;

import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.MessageHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * A minimal deterministic network for unit tests: one virtual clock, 1 ms latency, and nodes that
 * can be cut off. (The full simulator with loss, skew and partitions is in dynakv-sim.)
 */
final class TinyNetwork implements Clock, Scheduler {

    private record Event(long at, long seq, Runnable action) {}

    private final PriorityQueue<Event> queue =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final TreeMap<NodeId, MessageHandler> handlers = new TreeMap<>();
    private final TreeMap<String, NodeId> addresses = new TreeMap<>();
    private final Set<NodeId> cutOff = new HashSet<>();
    final List<String> sent = new ArrayList<>();
    private long now;
    private long seq;

    @Override
    public long nowNanos() {
        return now;
    }

    @Override
    public long wallMillis() {
        return now / 1_000_000;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        Event e = new Event(now + delayNanos, seq++, task);
        queue.add(e);
        return () -> queue.remove(e);
    }

    void attach(NodeId id, String address, MessageHandler handler) {
        handlers.put(id, handler);
        addresses.put(address, id);
    }

    void cutOff(NodeId id, boolean off) {
        if (off) {
            cutOff.add(id);
        } else {
            cutOff.remove(id);
        }
    }

    MembershipTransport transport(NodeId from) {
        return new MembershipTransport() {
            @Override
            public void send(NodeId to, Message message) {
                deliver(from, to, message);
            }

            @Override
            public void sendToAddress(String address, Message message) {
                NodeId to = addresses.get(address);
                if (to != null) {
                    deliver(from, to, message);
                }
            }
        };
    }

    private void deliver(NodeId from, NodeId to, Message message) {
        sent.add(from + "->" + to + " " + message.getClass().getSimpleName());
        if (cutOff.contains(from) || cutOff.contains(to)) {
            return;
        }
        schedule(1_000_000, () -> {
            MessageHandler h = handlers.get(to);
            if (h != null && !cutOff.contains(to)) {
                h.onMessage(from, message);
            }
        });
    }

    void runFor(long nanos) {
        long end = now + nanos;
        while (!queue.isEmpty() && queue.peek().at <= end) {
            Event e = queue.poll();
            now = e.at;
            e.action.run();
        }
        now = end;
    }
}
