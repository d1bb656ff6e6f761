package io.dynakv.transport;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.MessageHandler;
import io.dynakv.common.message.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} protocol code gets in a running node: messages are encoded with the
 * cluster's {@link MessageCodec} and sent as frames over {@link TcpTransport}; received frames are
 * decoded and handed to the {@link MessageHandler}. A message to a node whose address is unknown,
 * or a frame that does not decode, is dropped and counted: to protocols it is a lost message.
 */
public final class MessageTransport implements Transport, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MessageTransport.class);

    private static final int MAX_LEARNED = 4096;

    private final MessageCodec codec;
    private final Function<NodeId, Optional<String>> addressOf;
    private final MessageHandler handler;
    private final LongAdder undeliverable = new LongAdder();
    private final LongAdder malformed = new LongAdder();

    /**
     * Addresses proven by inbound handshakes, for nodes membership does not know yet: a node that
     * has just joined through another member sends requests before the news of it reaches every
     * member, and the replies must still find it.
     */
    private final Map<NodeId, String> learned = new ConcurrentHashMap<>();

    /** Set once by {@link #start}, before the transport is handed to anyone. */
    private volatile TcpTransport tcp;

    private MessageTransport(MessageCodec codec, Function<NodeId, Optional<String>> addressOf, MessageHandler handler) {
        this.codec = codec;
        this.addressOf = addressOf;
        this.handler = handler;
    }

    /**
     * Listens and returns the transport once bound.
     *
     * @param addressOf the node-to-node address of a node, from membership
     * @param handler receives every decoded message, on the transport's loop
     */
    public static Future<MessageTransport> start(
            Vertx vertx,
            Context context,
            TransportConfig config,
            MessageCodec codec,
            Function<NodeId, Optional<String>> addressOf,
            MessageHandler handler) {
        MessageTransport transport = new MessageTransport(codec, addressOf, handler);
        return TcpTransport.start(vertx, context, config, transport::onFrame).map(tcp -> {
            transport.tcp = tcp;
            return transport;
        });
    }

    private void onFrame(NodeId from, String fromAddress, byte[] payload) {
        if (!fromAddress.equals(learned.get(from))) {
            if (learned.size() >= MAX_LEARNED) {
                learned.clear(); // a bound against a flood of ids; membership knows the real members
            }
            learned.put(from, fromAddress);
        }
        Message message;
        try {
            message = codec.decode(payload);
        } catch (MalformedFrameException e) {
            malformed.increment();
            log.warn("dropped a malformed message from {}@{}: {}", from, fromAddress, e.getMessage());
            return;
        }
        handler.onMessage(from, message);
    }

    @Override
    public void send(NodeId to, Message message) {
        Optional<String> address = addressOf.apply(to).or(() -> Optional.ofNullable(learned.get(to)));
        if (address.isEmpty()) {
            undeliverable.increment(); // membership does not know the node (yet): a lost message
            return;
        }
        tcp.send(address.get(), to, codec.encode(message)); // reaches `to` or nobody, never a stranger there
    }

    /** Sends to an address before its node id is known (a join through a seed). */
    public void sendToAddress(String address, Message message) {
        tcp.send(address, codec.encode(message));
    }

    public TransportStats stats() {
        return tcp.stats();
    }

    /** Messages dropped because the target's address was unknown. */
    public long undeliverable() {
        return undeliverable.sum();
    }

    /** Received frames that did not decode. */
    public long malformed() {
        return malformed.sum();
    }

    @Override
    public void close() {
        tcp.close();
    }
}
