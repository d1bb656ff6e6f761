package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.SwimCodecs;
import io.dynakv.cluster.membership.SwimConfig;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SWIM over real loopback sockets: the membership protocol, its codecs and the authenticated
 * transport together, as a node will run them. Three nodes join through each other and all see
 * all; one crashes (its transport closes) and the others declare it DEAD.
 */
@Timeout(60)
class SwimOverTcpTest {

    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);
    /** A fast period so the test is quick; the protocol scales its timeouts from it. */
    private static final SwimConfig FAST = new SwimConfig(100_000_000L, 40_000_000L, 3, 3, 6, 8, 4, 2, 20);

    private final Vertx vertx = Vertx.vertx();
    private final List<SwimNode> nodes = new ArrayList<>();

    /** One node: its loop, its transport and its membership. */
    private final class SwimNode {
        final Context loop = vertx.getOrCreateContext();
        final String address;
        final MessageTransport transport;
        final SwimMembership membership;

        SwimNode(long id) throws Exception {
            int port = freePort();
            address = "127.0.0.1:" + port;
            AtomicReference<SwimMembership> self = new AtomicReference<>();
            MessageCodec codec = SwimCodecs.register(new MessageCodec(1 << 20));
            transport = MessageTransport.start(
                            vertx,
                            loop,
                            TransportConfig.defaults(new NodeId(id), address, "127.0.0.1", port, SECRET),
                            codec,
                            node -> self.get().addressOf(node),
                            (from, message) -> self.get().onMessage(from, message))
                    .await(10, TimeUnit.SECONDS);
            MembershipTransport out = new MembershipTransport() {
                @Override
                public void send(NodeId to, Message message) {
                    transport.send(to, message);
                }

                @Override
                public void sendToAddress(String to, Message message) {
                    transport.sendToAddress(to, message);
                }
            };
            Scheduler timers = (delayNanos, task) -> {
                long timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), t -> task.run());
                return () -> vertx.cancelTimer(timer);
            };
            Clock clock = new Clock() {
                @Override
                public long nowNanos() {
                    return System.nanoTime();
                }

                @Override
                public long wallMillis() {
                    return System.currentTimeMillis();
                }
            };
            membership =
                    new SwimMembership(new NodeId(id), address, out, timers, clock, new SplittableRandom(id), FAST);
            self.set(membership);
        }

        /** Runs on the node's loop, where its membership lives, and waits for it. */
        <T> T onLoop(Supplier<T> work) throws Exception {
            CompletableFuture<T> result = new CompletableFuture<>();
            loop.runOnContext(ignored -> result.complete(work.get()));
            return result.get(10, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(n -> n.transport.close());
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void nodesJoinThroughAnyMemberAndACrashIsDetected() throws Exception {
        SwimNode a = node(1);
        SwimNode b = node(2);
        SwimNode c = node(3);
        a.onLoop(() -> {
            a.membership.start();
            return null;
        });
        b.onLoop(() -> {
            b.membership.join(a.address);
            return null;
        });
        c.onLoop(() -> {
            c.membership.join(b.address); // through a member other than the first
            return null;
        });

        for (SwimNode n : nodes) {
            awaitView(
                    n,
                    view -> view.stream()
                                    .filter(m -> m.status() == MemberStatus.ALIVE)
                                    .count()
                            == 3);
        }

        c.transport.close(); // c crashes: it stops answering
        for (SwimNode n : List.of(a, b)) {
            awaitView(n, view -> view.stream()
                    .anyMatch(m -> m.id().equals(new NodeId(3)) && m.status() == MemberStatus.DEAD));
        }
        assertThat(a.onLoop(a.membership::activeCount)).isEqualTo(2);
    }

    private SwimNode node(long id) throws Exception {
        SwimNode n = new SwimNode(id);
        nodes.add(n);
        return n;
    }

    private static void awaitView(SwimNode n, Predicate<List<Member>> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<Member> view = List.of();
        while (System.nanoTime() < deadline) {
            view = n.onLoop(n.membership::members);
            if (condition.test(view)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("node " + n.address + " never reached the expected view; last: " + view);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
