package io.dynakv.transport;

import java.util.concurrent.atomic.LongAdder;

/** Counters for /stats and /metrics: what the transport sent, dropped and refused. */
public final class TransportStats {

    public final LongAdder framesSent = new LongAdder();
    public final LongAdder bytesSent = new LongAdder();
    public final LongAdder framesReceived = new LongAdder();
    public final LongAdder bytesReceived = new LongAdder();

    /** Frames dropped because a peer's queue was full: the peer is down or too slow. */
    public final LongAdder framesDropped = new LongAdder();

    /** Inbound connections that failed the handshake (wrong secret, not a DynaKV node, too slow). */
    public final LongAdder connectionsRejected = new LongAdder();
}
