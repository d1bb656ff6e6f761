package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets on loopback: delivery, order, authentication, reconnection and bounds. */
@Timeout(60)
class TcpTransportTest {

    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx = Vertx.vertx();
    private final List<TcpTransport> started = new ArrayList<>();

    private record Received(NodeId from, String address, String text) {}

    @AfterEach
    void stop() throws Exception {
        started.forEach(TcpTransport::close);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void framesArriveInOrderBothWaysNamingTheSender() throws Exception {
        BlockingQueue<Received> atA = new LinkedBlockingQueue<>();
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        int portA = freePort();
        int portB = freePort();
        TcpTransport a = start(1, portA, SECRET, atA);
        TcpTransport b = start(2, portB, SECRET, atB);

        for (int i = 0; i < 1000; i++) {
            a.send(address(portB), bytes("a" + i));
            b.send(address(portA), bytes("b" + i));
        }

        for (int i = 0; i < 1000; i++) {
            assertThat(atB.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(new NodeId(1), address(portA), "a" + i));
            assertThat(atA.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(new NodeId(2), address(portB), "b" + i));
        }
        assertThat(a.stats().framesSent.sum()).isEqualTo(1000);
        assertThat(b.stats().framesReceived.sum()).isEqualTo(1000);
    }

    @Test
    void aNodeWithTheWrongSecretCannotDeliverAnything() throws Exception {
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        int portB = freePort();
        TcpTransport b = start(2, portB, SECRET, atB);
        TcpTransport intruder = start(3, freePort(), bytes("guess"), new LinkedBlockingQueue<>());

        intruder.send(address(portB), bytes("let me in"));

        assertThat(atB.poll(1, TimeUnit.SECONDS)).isNull();
        assertThat(b.stats().connectionsRejected.sum()).isPositive();
    }

    @Test
    void garbageOnThePortIsRefusedAndTheTransportKeepsWorking() throws Exception {
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        int portB = freePort();
        TcpTransport b = start(2, portB, SECRET, atB);
        try (Socket raw = new Socket("127.0.0.1", portB)) {
            OutputStream out = raw.getOutputStream();
            out.write(new byte[] {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'});
            out.write(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // 4 GiB frame
            out.flush();
            assertThat(raw.getInputStream().read()).isEqualTo(-1); // closed on us
        } catch (IOException expected) {
            // reset by the transport: also a refusal
        }
        TcpTransport a = start(1, freePort(), SECRET, new LinkedBlockingQueue<>());
        a.send(address(portB), bytes("still here"));
        assertThat(atB.poll(10, TimeUnit.SECONDS)).extracting(Received::text).isEqualTo("still here");
        assertThat(b.stats().connectionsRejected.sum()).isPositive();
    }

    @Test
    void framesQueuedForAPeerThatIsDownArriveWhenItComesUp() throws Exception {
        int portB = freePort();
        TcpTransport a = start(1, freePort(), SECRET, new LinkedBlockingQueue<>());
        a.send(address(portB), bytes("early"));
        Thread.sleep(300); // a few failed dials with backoff
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        start(2, portB, SECRET, atB);

        assertThat(atB.poll(10, TimeUnit.SECONDS)).extracting(Received::text).isEqualTo("early");
    }

    @Test
    void aDeadPeersQueueIsBoundedAndDropsAreCounted() throws Exception {
        TransportConfig small = new TransportConfig(
                new NodeId(1),
                address(freePort()),
                "contact",
                "127.0.0.1",
                freePort(),
                SECRET,
                1 << 20,
                1000,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                ClusterIdentity.none());
        TcpTransport a = TcpTransport.start(vertx, vertx.getOrCreateContext(), small, (f, ad, p) -> {})
                .await(10, TimeUnit.SECONDS);
        started.add(a);
        String nowhere = address(freePort());
        for (int i = 0; i < 100; i++) {
            a.send(nowhere, new byte[100]);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.stats().framesDropped.sum() < 90 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(a.stats().framesDropped.sum()).isEqualTo(90);
    }

    @Test
    void framesForANodeReachThatNodeOnly() throws Exception {
        int port = freePort();
        TcpTransport a = start(1, freePort(), SECRET, new LinkedBlockingQueue<>());
        BlockingQueue<Received> atStranger = new LinkedBlockingQueue<>();
        start(3, port, SECRET, atStranger); // node 2's address, now held by node 3 (wiped, new id)

        a.send(address(port), new NodeId(2), bytes("for node 2"));
        a.send(address(port), new NodeId(3), bytes("for node 3"));

        assertThat(atStranger.poll(10, TimeUnit.SECONDS))
                .extracting(Received::text)
                .isEqualTo("for node 3");
        assertThat(atStranger.poll(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(a.stats().connectionsRejected.sum()).isEqualTo(1);
    }

    @Test
    void nodesOfAnotherClusterCannotConnectEitherWay() throws Exception {
        int portA = freePort();
        int portB = freePort();
        BlockingQueue<Received> atA = new LinkedBlockingQueue<>();
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        BlockingQueue<ClusterIdentity.Conflict> conflictsAtB = new LinkedBlockingQueue<>();
        ClusterIdentity clusterB = new ClusterIdentity(0xbbL);
        clusterB.onConflict(conflictsAtB::add);
        TcpTransport a = start(1, portA, SECRET, atA, new ClusterIdentity(0xaaL));
        TcpTransport b = start(2, portB, SECRET, atB, clusterB);

        a.send(address(portB), bytes("from cluster aa"));
        b.send(address(portA), new NodeId(1), bytes("from cluster bb"));

        assertThat(conflictsAtB.poll(10, TimeUnit.SECONDS))
                .isEqualTo(new ClusterIdentity.Conflict(1, address(portA), address(portA), 0xaaL, 0));
        assertThat(atA.poll(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(atB.poll(10, TimeUnit.MILLISECONDS)).isNull();
        assertThat(a.stats().connectionsRejected.sum()
                        + b.stats().connectionsRejected.sum())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aNodeWithoutAClusterJoinsAnyAndThenStatesItsCluster() throws Exception {
        int portB = freePort();
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        ClusterIdentity joiner = ClusterIdentity.none();
        TcpTransport a = start(1, freePort(), SECRET, new LinkedBlockingQueue<>(), joiner);
        start(2, portB, SECRET, atB, new ClusterIdentity(0xbbL));

        a.send(address(portB), bytes("join"));
        assertThat(atB.poll(10, TimeUnit.SECONDS)).extracting(Received::text).isEqualTo("join");

        joiner.set(0xccL); // admitted to another cluster meanwhile: new connections say so
        a.send(address(portB), new NodeId(2), bytes("after"));
        assertThat(atB.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    private TcpTransport start(long id, int port, byte[] secret, BlockingQueue<Received> inbox) throws Exception {
        return start(id, port, secret, inbox, ClusterIdentity.none());
    }

    private TcpTransport start(
            long id, int port, byte[] secret, BlockingQueue<Received> inbox, ClusterIdentity identity)
            throws Exception {
        TransportConfig d = TransportConfig.defaults(new NodeId(id), address(port), "127.0.0.1", port, secret);
        TransportConfig config = new TransportConfig(
                d.self(),
                d.advertise(),
                d.contact(),
                d.bindHost(),
                d.port(),
                d.clusterSecret(),
                d.maxFrameBytes(),
                d.maxQueuedBytesPerPeer(),
                d.connectTimeout(),
                d.handshakeTimeout(),
                identity);
        TcpTransport transport = TcpTransport.start(
                        vertx,
                        vertx.getOrCreateContext(),
                        config,
                        (from, address, payload) ->
                                inbox.add(new Received(from, address, new String(payload, StandardCharsets.UTF_8))))
                .await(10, TimeUnit.SECONDS);
        started.add(transport);
        return transport;
    }

    private static String address(int port) {
        return "127.0.0.1:" + port;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
