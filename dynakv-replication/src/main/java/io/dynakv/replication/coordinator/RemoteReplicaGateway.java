package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.message.ForwardWriteReply;
import io.dynakv.replication.message.ForwardWriteRequest;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaReadReply;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.message.ReplicaWriteReply;
import io.dynakv.replication.message.ReplicaWriteRequest;
import io.dynakv.replication.replica.KeyRef;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Reaches replicas on other nodes through the {@link Transport}: each call sends a request
 * message under a fresh request id and remembers its callback until the reply comes back through
 * {@link #onReply}. One gateway per event loop, used only on that loop.
 *
 * <p>Fault model (the transport's): requests and replies may be lost, delayed, duplicated or
 * reordered. So a reply is accepted only once, only from the replica the request went to, and
 * only while the request is remembered; everything else is ignored. A request is forgotten when
 * its reply arrives or, silently, when its expiry timer fires: the coordinator's own timeout has
 * ended the operation by then (the expiry must be at least that timeout), and forgetting keeps the
 * map from growing with requests sent to dead nodes. At most {@code maxInFlight} requests per
 * replica are remembered; beyond that a call to that replica fails at once with {@link
 * ReplicaReply.Failed} (the coordinator then hints it), so memory stays bounded under overload.
 * The bound is per replica, not per gateway: a dead node that has not been detected yet collects
 * unanswered requests until they expire, and under load those once filled a shared bound within
 * seconds and made every write fail with 503 though two of three replicas were up (found by
 * {@code bench/soak.sh}).
 *
 * <p>Request ids carry the event loop's index in their top 16 bits ({@link #loopIndexOf}), so a
 * node with several loops can route a reply to the gateway that sent the request.
 */
public final class RemoteReplicaGateway implements ReplicaGateway {

    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

    private static final int SEQUENCE_BITS = 48;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    private static final int MAX_LOOP_INDEX = 0xFFFF;

    private final Transport transport;
    private final Scheduler scheduler;
    private final long idBase;
    private final long expiryNanos;
    private final int maxInFlight;
    private final LongSupplier ringEpoch;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<NodeId, Integer> inFlightByReplica = new HashMap<>();
    private long lastSequence;
    private long refused;

    /** What a request asked for, so a reply of the wrong kind is recognised. */
    private enum Kind {
        READ,
        WRITE,
        FORWARD
    }

    /** A request waiting for its reply. */
    private static final class Pending {
        final NodeId replica;
        final Kind kind;
        final Consumer<ReplicaReply> reply;
        Scheduler.Cancellable expiry;

        Pending(NodeId replica, Kind kind, Consumer<ReplicaReply> reply) {
            this.replica = replica;
            this.kind = kind;
            this.reply = reply;
        }
    }

    /** A gateway over a fixed ring: its requests carry ring epoch 0, which replicas never compare. */
    public RemoteReplicaGateway(
            Transport transport, Scheduler scheduler, int loopIndex, long expiryNanos, int maxInFlight) {
        this(transport, scheduler, loopIndex, expiryNanos, maxInFlight, () -> 0);
    }

    /**
     * @param loopIndex this gateway's event loop, 0..65535; goes into every request id
     * @param expiryNanos how long a request is remembered; at least the coordinator's timeout
     * @param maxInFlight how many requests may wait for replies at once
     * @param ringEpoch the epoch of this node's ring table, sent with every replica request so a
     *     replica that is behind neither answers a read from a partition it has not streamed nor
     *     stays behind
     */
    public RemoteReplicaGateway(
            Transport transport,
            Scheduler scheduler,
            int loopIndex,
            long expiryNanos,
            int maxInFlight,
            LongSupplier ringEpoch) {
        if (loopIndex < 0 || loopIndex > MAX_LOOP_INDEX) {
            throw new IllegalArgumentException("loop index " + loopIndex + " outside 0.." + MAX_LOOP_INDEX);
        }
        if (expiryNanos <= 0 || maxInFlight <= 0) {
            throw new IllegalArgumentException("expiryNanos and maxInFlight must be positive");
        }
        this.transport = transport;
        this.scheduler = scheduler;
        this.idBase = (long) loopIndex << SEQUENCE_BITS;
        this.expiryNanos = expiryNanos;
        this.maxInFlight = maxInFlight;
        this.ringEpoch = ringEpoch;
    }

    /** The event loop index of the gateway that chose {@code requestId}. */
    public static int loopIndexOf(long requestId) {
        return (int) (requestId >>> SEQUENCE_BITS);
    }

    @Override
    public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        long requestId = remember(replica, Kind.READ, reply);
        if (requestId != 0) {
            transport.send(replica, new ReplicaReadRequest(requestId, key, ringEpoch.getAsLong()));
        }
    }

    @Override
    public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
        long requestId = remember(replica, Kind.WRITE, reply);
        if (requestId != 0) {
            transport.send(replica, new ReplicaWriteRequest(requestId, key, version, ringEpoch.getAsLong()));
        }
    }

    /** Sends the write to the first of {@code replicas} to coordinate. */
    @Override
    public void forwardWrite(List<NodeId> replicas, WriteRequest write, Consumer<ReplicaReply> reply) {
        NodeId target = replicas.get(0);
        long requestId = remember(target, Kind.FORWARD, reply);
        if (requestId != 0) {
            transport.send(target, new ForwardWriteRequest(requestId, write));
        }
    }

    /**
     * Takes a reply message that arrived from {@code from}. Returns true when it completed a
     * request; false when it was ignored: not a reply, unknown or already answered id (late,
     * duplicated or expired), or sent by another node than the request went to.
     */
    public boolean onReply(NodeId from, Message message) {
        long requestId;
        if (message instanceof ReplicaReadReply r) {
            requestId = r.requestId();
        } else if (message instanceof ReplicaWriteReply w) {
            requestId = w.requestId();
        } else if (message instanceof ReplicaFailure f) {
            requestId = f.requestId();
        } else if (message instanceof ForwardWriteReply f) {
            requestId = f.requestId();
        } else {
            return false;
        }
        Pending p = pending.get(requestId);
        if (p == null || !p.replica.equals(from)) {
            return false;
        }
        forget(requestId, p);
        p.expiry.cancel();
        p.reply.accept(toReply(p, message));
        return true;
    }

    /** Requests waiting for a reply. */
    public int inFlight() {
        return pending.size();
    }

    /** Calls refused because {@code maxInFlight} requests to their replica were already waiting. */
    public long refused() {
        return refused;
    }

    /** Returns the new request's id, or 0 when it was refused (the callback has then run). */
    private long remember(NodeId replica, Kind kind, Consumer<ReplicaReply> reply) {
        int waiting = inFlightByReplica.getOrDefault(replica, 0);
        if (waiting >= maxInFlight) {
            refused++;
            reply.accept(new ReplicaReply.Failed("too many requests in flight to " + replica + " (" + maxInFlight
                    + " unanswered: down, or overloaded); not sent"));
            return 0;
        }
        long requestId = nextRequestId();
        Pending p = new Pending(replica, kind, reply);
        pending.put(requestId, p);
        inFlightByReplica.put(replica, waiting + 1);
        p.expiry = scheduler.schedule(expiryNanos, () -> forget(requestId, p));
        return requestId;
    }

    private void forget(long requestId, Pending p) {
        if (pending.remove(requestId, p)) {
            inFlightByReplica.merge(p.replica, -1, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    private long nextRequestId() {
        long id;
        do {
            lastSequence = (lastSequence + 1) & SEQUENCE_MASK;
            id = idBase | lastSequence;
            // Sequence 0 is never used, so no id is 0; an id still in flight after 2^48 requests is skipped.
        } while (lastSequence == 0 || pending.containsKey(id));
        return id;
    }

    private static ReplicaReply toReply(Pending p, Message message) {
        if (message instanceof ReplicaFailure f) {
            return new ReplicaReply.Failed(f.reason(), f.storageFull());
        }
        if (p.kind == Kind.READ && message instanceof ReplicaReadReply r) {
            return new ReplicaReply.ReadDone(r.value());
        }
        if (p.kind == Kind.WRITE && message instanceof ReplicaWriteReply w) {
            return new ReplicaReply.WriteDone(w.effect());
        }
        if (p.kind == Kind.FORWARD && message instanceof ForwardWriteReply f) {
            return new ReplicaReply.Forwarded(f.outcome());
        }
        // The right node answered the right id with the wrong kind: a broken peer. It will not
        // answer again, so fail the request now rather than wait for the timeout.
        return new ReplicaReply.Failed(
                "replica " + p.replica + " answered a " + p.kind.name().toLowerCase(Locale.ROOT) + " with "
                        + message.getClass().getSimpleName());
    }
}
