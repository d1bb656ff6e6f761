package io.dynakv.transport;

import io.dynakv.common.NodeId;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection this node dials to one peer, and the frames waiting for it. Each node sends on
 * its own dialed connections only (replies travel the same way back), so two nodes never race to
 * pick one of two connections. Touched only on the transport's event loop.
 *
 * <p>Frames queue while the connection is being made and while the socket's write buffer is
 * full (TCP backpressure); past {@code maxQueuedBytes} new frames are dropped and counted. The
 * connection is redialed with exponential backoff as long as frames wait.
 *
 * <p>A peer made for a given node id checks that the listener proves that id: a node wiped and
 * restarted at the address under a new id (or a node of another cluster there) is refused, and
 * the frames meant for the old node are dropped rather than handed to a stranger.
 */
final class OutboundPeer {

    private static final Logger log = LoggerFactory.getLogger(OutboundPeer.class);
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    /** Frames are coalesced into socket writes of up to this many bytes (a larger frame goes alone). */
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private enum State {
        IDLE,
        CONNECTING,
        HANDSHAKING,
        READY,
        CLOSED
    }

    private final String address;
    /** The node meant at the address; null: whoever listens (a join through a bare address). */
    private final NodeId expected;

    private final String host;
    private final int port;
    private final Vertx vertx;
    private final NetClient client;
    private final TransportConfig config;
    private final Handshake handshake;
    private final TransportStats stats;
    private final SecureRandom random;
    private final RefusalLog refusals;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean flushScheduled;
    private long queuedBytes;
    private State state = State.IDLE;
    private NetSocket socket;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private boolean redialScheduled;

    OutboundPeer(
            String address,
            NodeId expected,
            Vertx vertx,
            NetClient client,
            TransportConfig config,
            Handshake handshake,
            TransportStats stats,
            SecureRandom random,
            RefusalLog refusals) {
        this.address = address;
        this.expected = expected;
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("peer address must be host:port, got " + address);
        }
        this.host = address.substring(0, colon).replace("[", "").replace("]", "");
        this.port = Integer.parseInt(address.substring(colon + 1));
        this.vertx = vertx;
        this.client = client;
        this.config = config;
        this.handshake = handshake;
        this.stats = stats;
        this.random = random;
        this.refusals = refusals;
    }

    void send(byte[] payload) {
        if (state == State.CLOSED) {
            return;
        }
        if (queuedBytes + payload.length > config.maxQueuedBytesPerPeer()) {
            stats.framesDropped.increment();
            return;
        }
        queue.add(payload);
        queuedBytes += payload.length;
        if (state == State.READY) {
            scheduleFlush();
        } else if (state == State.IDLE && !redialScheduled) {
            dial();
        }
    }

    void close() {
        state = State.CLOSED;
        queue.clear();
        queuedBytes = 0;
        if (socket != null) {
            socket.close();
        }
    }

    private void dial() {
        state = State.CONNECTING;
        client.connect(port, host).onComplete(result -> {
            if (state == State.CLOSED) {
                if (result.succeeded()) {
                    result.result().close();
                }
                return;
            }
            if (result.failed()) {
                log.debug("peer={} connect failed: {}", address, result.cause().toString());
                disconnected();
                return;
            }
            handshake(result.result());
        });
    }

    private void handshake(NetSocket s) {
        socket = s;
        state = State.HANDSHAKING;
        byte[] nonce = new byte[Handshake.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] hello = Handshake.hello(
                config.self(),
                config.identity().id(),
                expected == null ? 0 : expected.value(),
                config.advertise(),
                config.contact(),
                nonce);
        s.closeHandler(ignored -> {
            if (socket == s) {
                disconnected();
            }
        });
        s.exceptionHandler(e -> log.debug("peer={} connection error: {}", address, e.toString()));
        s.handler(new FrameReader(
                Handshake.NONCE_BYTES + 64, challenge -> onChallenge(s, hello, challenge), length -> s.close()));
        s.write(FrameReader.frame(hello));
    }

    private void onChallenge(NetSocket s, byte[] hello, byte[] challenge) {
        if (state != State.HANDSHAKING) {
            s.close(); // the listener sends one frame only; anything more is a broken peer
            return;
        }
        Handshake.Challenge proven;
        try {
            proven = handshake.verifyChallenge(hello, challenge);
        } catch (IllegalArgumentException e) {
            log.warn("peer={} refused: {}; check DYNAKV_CLUSTER_SECRET on both nodes", address, e.getMessage());
            s.close();
            return;
        }
        String refusal = Handshake.refusal(Handshake.parseHello(hello), proven.node(), proven.cluster());
        if (refusal != null) {
            refused(s, refusal);
            return;
        }
        s.write(FrameReader.frame(handshake.proof(hello, proven)));
        refusals.opened(name());
        state = State.READY;
        backoffMillis = FIRST_BACKOFF_MILLIS;
        s.drainHandler(ignored -> flush());
        flush();
    }

    /**
     * The listener is not who this peer is for: drop what waits for it (it was meant for another
     * node) and hang up; a later frame dials again, with backoff.
     */
    private void refused(NetSocket s, String why) {
        stats.connectionsRejected.increment();
        stats.framesDropped.add(queue.size());
        queue.clear();
        queuedBytes = 0;
        refusals.refused(name(), "refused the connection to " + name() + ": " + why);
        scheduleRedial(); // frames that keep coming wait out the backoff instead of redialing at once
        s.close();
    }

    private String name() {
        return (expected == null ? "" : expected + "@") + address;
    }

    /**
     * Writes at the end of the loop's current task rather than now: the frames that protocols send
     * in one burst (a coordinator's fan-out, a batch of acks) then leave in one socket write, one
     * syscall instead of one each.
     */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            vertx.runOnContext(ignored -> {
                flushScheduled = false;
                flush();
            });
        }
    }

    private void flush() {
        while (state == State.READY && !queue.isEmpty() && !socket.writeQueueFull()) {
            Buffer batch = Buffer.buffer();
            int frames = 0;
            while (!queue.isEmpty() && (frames == 0 || batch.length() + queue.peek().length <= MAX_BATCH_BYTES)) {
                byte[] payload = queue.poll();
                queuedBytes -= payload.length;
                batch.appendInt(payload.length).appendBytes(payload);
                frames++;
                stats.framesSent.increment();
                stats.bytesSent.add(payload.length + 4L);
            }
            socket.write(batch);
        }
    }

    private void disconnected() {
        socket = null;
        if (state == State.CLOSED) {
            return;
        }
        state = State.IDLE;
        if (!queue.isEmpty()) {
            scheduleRedial();
        }
    }

    /** Dials again after the backoff, if frames wait then; until then frames only queue. */
    private void scheduleRedial() {
        if (redialScheduled) {
            return;
        }
        redialScheduled = true;
        long delay = backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        vertx.setTimer(delay, ignored -> {
            redialScheduled = false;
            if (state == State.IDLE && !queue.isEmpty()) {
                dial();
            }
        });
    }
}
