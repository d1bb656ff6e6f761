package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Messages by node id over real sockets: encode, frame, authenticate, decode, dispatch. */
@Timeout(60)
class MessageTransportTest {

    /** A message kind of this test only (type id 250: outside every protocol's range). */
    record Note(String text) implements Message {}

    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx = Vertx.vertx();
    private final MessageCodec codec = new MessageCodec(1 << 20)
            .register(
                    250,
                    Note.class,
                    (m, out) -> out.writeLengthPrefixed(m.text().getBytes(StandardCharsets.UTF_8)),
                    in -> new Note(new String(in.readLengthPrefixed(), StandardCharsets.UTF_8)));

    private record Received(NodeId from, Message message) {}

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void messagesTravelByNodeIdAndUnknownNodesAreCountedNotThrown() throws Exception {
        int portA = freePort();
        int portB = freePort();
        Map<NodeId, String> addresses =
                Map.of(new NodeId(1), "127.0.0.1:" + portA, new NodeId(2), "127.0.0.1:" + portB);
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        MessageTransport a = start(1, portA, addresses, new LinkedBlockingQueue<>());
        MessageTransport b = start(2, portB, addresses, atB);

        a.send(new NodeId(2), new Note("hello b"));
        a.send(new NodeId(99), new Note("to nobody"));

        assertThat(atB.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(new NodeId(1), new Note("hello b")));
        assertThat(a.undeliverable()).isEqualTo(1);
        a.close();
        b.close();
    }

    @Test
    void aFrameThatDoesNotDecodeIsDroppedAndCounted() throws Exception {
        int portA = freePort();
        int portB = freePort();
        Map<NodeId, String> addresses = Map.of(new NodeId(2), "127.0.0.1:" + portB);
        BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
        TcpTransport rawA = TcpTransport.start(
                        vertx,
                        vertx.getOrCreateContext(),
                        TransportConfig.defaults(new NodeId(1), "127.0.0.1:" + portA, "127.0.0.1", portA, SECRET),
                        (f, ad, p) -> {})
                .await(10, TimeUnit.SECONDS);
        MessageTransport b = start(2, portB, addresses, atB);

        rawA.send("127.0.0.1:" + portB, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        MessageTransport a = start(3, freePort(), addresses, new LinkedBlockingQueue<>());
        a.send(new NodeId(2), new Note("after the garbage"));

        assertThat(atB.poll(10, TimeUnit.SECONDS))
                .extracting(Received::message)
                .isEqualTo(new Note("after the garbage"));
        assertThat(b.malformed()).isEqualTo(1);
        rawA.close();
        a.close();
        b.close();
    }

    private MessageTransport start(long id, int port, Map<NodeId, String> addresses, BlockingQueue<Received> inbox)
            throws Exception {
        TransportConfig config =
                TransportConfig.defaults(new NodeId(id), "127.0.0.1:" + port, "127.0.0.1", port, SECRET);
        return MessageTransport.start(
                        vertx,
                        vertx.getOrCreateContext(),
                        config,
                        codec,
                        node -> Optional.ofNullable(addresses.get(node)),
                        (from, message) -> inbox.add(new Received(from, message)))
                .await(10, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
