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
                "127.0.0.1",
                freePort(),
                SECRET,
                1 << 20,
                1000,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
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

    private TcpTransport start(long id, int port, byte[] secret, BlockingQueue<Received> inbox) throws Exception {
        TransportConfig config = TransportConfig.defaults(new NodeId(id), address(port), "127.0.0.1", port, secret);
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
