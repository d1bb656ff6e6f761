package io.dynakv.common;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's hybrid logical clock. Every timestamp it issues is larger than every timestamp it
 * issued or observed before, and stays within clock skew of wall time. Lock-free, because every
 * event loop of the node stamps writes with the one clock.
 */
public final class HlcClock {

    private final Clock clock;
    private final AtomicLong last = new AtomicLong();

    public HlcClock(Clock clock) {
        this.clock = clock;
    }

    /** A timestamp for a local event (a write this node coordinates). */
    public long now() {
        long physical = Hlc.pack(clock.wallMillis(), 0);
        return last.accumulateAndGet(physical, (prev, wall) -> Math.max(wall, Hlc.successor(prev)));
    }

    /** Takes in a timestamp seen on a message or stored version, so later local ones exceed it. */
    public void observe(long remoteHlc) {
        last.accumulateAndGet(remoteHlc, Math::max);
    }

    /** The last timestamp issued or observed, without advancing the clock. */
    public long peek() {
        return last.get();
    }
}
