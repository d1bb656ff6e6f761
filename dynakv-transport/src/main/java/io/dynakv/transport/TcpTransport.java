package io.dynakv.transport;

import io.dynakv.common.NodeId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-to-node frames over persistent TCP connections. A frame is {@code [u32 length][payload]};
 * what the payload means is the codec's business. Every connection starts with the
 * {@link Handshake}, so only nodes holding the cluster secret, of this node's cluster, can send
 * anything, and a dialer that names the node it means reaches that node or nobody.
 *
 * <p>All state lives on one event loop (the transport's context); {@link #send} may be called from
 * any thread and hops there. Frames from a peer are handed to the {@link Receiver} on that loop.
 */
public final class TcpTransport implements AutoCloseable {

    /** Where received frames go. */
    public interface Receiver {
        void onFrame(NodeId from, String fromAddress, byte[] payload);
    }

    private static final Logger log = LoggerFactory.getLogger(TcpTransport.class);
    private static final long CLOSE_TIMEOUT_SECONDS = 10;

    private final Vertx vertx;
    private final Context context;
    private final TransportConfig config;
    private final Receiver receiver;
    private final Handshake handshake;
    private final TransportStats stats = new TransportStats();
    private final SecureRandom random = new SecureRandom();
    /** By address and the node expected there ("*": any), so a node at a new id is a new peer. */
    private final RefusalLog refusals = new RefusalLog(log);

    private final Map<String, OutboundPeer> peers = new HashMap<>();
    private NetServer server;
    private NetClient client;

    private TcpTransport(Vertx vertx, Context context, TransportConfig config, Receiver receiver) {
        this.vertx = vertx;
        this.context = context;
        this.config = config;
        this.receiver = receiver;
        this.handshake = new Handshake(config.clusterSecret());
    }

    /** Listens on the node-to-node port; the future fails with the bind error. */
    public static Future<TcpTransport> start(Vertx vertx, Context context, TransportConfig config, Receiver receiver) {
        TcpTransport transport = new TcpTransport(vertx, context, config, receiver);
        Promise<TcpTransport> started = Promise.promise();
        context.runOnContext(ignored -> transport.listen().map(transport).onComplete(started));
        return started.future();
    }

    private Future<NetServer> listen() {
        client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setTcpNoDelay(true)
                .setTcpKeepAlive(true));
        server =
                vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setTcpKeepAlive(true));
        server.connectHandler(this::accept);
        return server.listen(config.port(), config.bindHost());
    }

    /** Sends {@code payload} to whatever node listens at {@code address}; never blocks, may drop (counted). */
    public void send(String address, byte[] payload) {
        send(address, null, payload);
    }

    /**
     * Sends {@code payload} to node {@code expected} at {@code address}: if another node answers
     * there (the node was wiped and restarted under a new id, or the address moved to another
     * node), the connection is refused and the frame dropped. Null {@code expected}: any node.
     */
    public void send(String address, NodeId expected, byte[] payload) {
        if (Vertx.currentContext() == context) {
            peer(address, expected).send(payload);
        } else {
            context.runOnContext(ignored -> peer(address, expected).send(payload));
        }
    }

    public TransportStats stats() {
        return stats;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    private OutboundPeer peer(String address, NodeId expected) {
        return peers.computeIfAbsent(
                address + "#" + (expected == null ? "*" : expected.toString()),
                k -> new OutboundPeer(address, expected, vertx, client, config, handshake, stats, random, refusals));
    }

    /** An inbound connection: hello, challenge, proof, then frames. */
    private void accept(NetSocket socket) {
        InboundHandshake state = new InboundHandshake(socket);
        long timer = vertx.setTimer(config.handshakeTimeout().toMillis(), ignored -> state.timeout());
        socket.closeHandler(ignored -> {
            vertx.cancelTimer(timer);
            state.closed();
        });
        socket.exceptionHandler(e -> log.debug("inbound connection error: {}", e.toString()));
        socket.handler(new FrameReader(config.maxFrameBytes(), state::onFrame, e -> {
            log.warn("closing connection from {}: {}", state.peerName(), e.getMessage());
            socket.close();
        }));
    }

    /** The listener's side of one connection's handshake, then its frames. */
    private final class InboundHandshake {
        private final NetSocket socket;
        private Handshake.Hello hello;
        private byte[] nonce;
        /** The cluster id this side stated in its challenge (it may change once, on admission). */
        private long cluster;

        private boolean open;
        private boolean rejected;

        InboundHandshake(NetSocket socket) {
            this.socket = socket;
        }

        String peerName() {
            return hello == null ? String.valueOf(socket.remoteAddress()) : hello.node() + "@" + hello.address();
        }

        void onFrame(byte[] frame) {
            if (open) {
                stats.framesReceived.increment();
                stats.bytesReceived.add(frame.length + 4L);
                receiver.onFrame(hello.node(), hello.address(), frame);
            } else if (hello == null) {
                onHello(frame);
            } else {
                onProof(frame);
            }
        }

        private void onHello(byte[] bytes) {
            try {
                hello = Handshake.parseHello(bytes);
            } catch (IllegalArgumentException e) {
                reject("bad hello: " + e.getMessage());
                return;
            }
            nonce = new byte[Handshake.NONCE_BYTES];
            random.nextBytes(nonce);
            cluster = config.identity().id();
            // The challenge goes out even to a dialer refused below: it proves who we are, so the
            // dialer can log why, rather than guess at a connection closed mid-handshake.
            socket.write(FrameReader.frame(handshake.challenge(hello, nonce, config.self(), cluster)));
            String refusal = Handshake.refusal(hello, config.self(), cluster);
            if (refusal != null) {
                reject(refusal);
                config.identity()
                        .conflict(new ClusterIdentity.Conflict(
                                hello.node().value(),
                                hello.address(),
                                hello.contact(),
                                hello.cluster(),
                                hello.expected()));
            }
        }

        private void onProof(byte[] proof) {
            if (rejected) {
                return;
            }
            if (!handshake.verifyProof(hello, nonce, config.self(), cluster, proof)) {
                reject("it does not hold this cluster's secret (check DYNAKV_CLUSTER_SECRET)");
                return;
            }
            open = true;
            refusals.opened("from " + peerName());
        }

        /** A dialer that finds our challenge wrong (another cluster's secret) hangs up here. */
        void closed() {
            if (!open && !rejected && hello != null) {
                rejected = true;
                stats.connectionsRejected.increment();
                log.warn(
                        "connection from {} closed during the handshake: a node with another cluster secret?",
                        peerName());
            }
        }

        void timeout() {
            if (!open) {
                reject("no handshake within " + config.handshakeTimeout().toMillis() + " ms");
            }
        }

        private void reject(String why) {
            rejected = true;
            stats.connectionsRejected.increment();
            refusals.refused("from " + peerName(), "refused connection from " + peerName() + ": " + why);
            socket.close();
        }
    }

    @Override
    public void close() {
        Promise<Void> closed = Promise.promise();
        context.runOnContext(ignored -> {
            peers.values().forEach(OutboundPeer::close);
            peers.clear();
            Future.all(
                            server == null ? Future.succeededFuture() : server.close(),
                            client == null ? Future.succeededFuture() : client.close())
                    .<Void>mapEmpty()
                    .onComplete(closed);
        });
        try {
            closed.future().await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS); // a stuck loop must not hang a shutdown
        } catch (Exception e) {
            log.warn("transport did not close cleanly: {}", e.toString());
        }
    }
}
