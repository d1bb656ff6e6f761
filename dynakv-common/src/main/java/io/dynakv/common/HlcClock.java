package io.dynakv.common;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's hybrid logical clock. Every timestamp it issues is larger than every timestamp it
 * issued or observed before, and stays within clock skew of wall time. Lock-free, because every
 * event loop of the node stamps writes with the one clock.
 *
 * <p>Observed timestamps more than {@code maxDriftMillis} ahead of this node's wall clock are not
 * adopted (Kulkarni et al., section 3: HLC assumes a bound on clock skew). Remote timestamps
 * include ones a client hands back in its causal context, which are not authenticated; adopting
 * {@code Long.MAX_VALUE} would overflow the clock, and a far-future value would make this node's
 * writes win every concurrent conflict until wall time caught up.
 */
public final class HlcClock {

    /** Far above the skew of NTP-disciplined or simulated clocks, far below a lasting advantage. */
    public static final long DEFAULT_MAX_DRIFT_MILLIS = 60_000;

    private final Clock clock;
    private final long maxDriftMillis;
    private final AtomicLong last = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    public HlcClock(Clock clock) {
        this(clock, DEFAULT_MAX_DRIFT_MILLIS);
    }

    public HlcClock(Clock clock, long maxDriftMillis) {
        if (maxDriftMillis < 0) {
            throw new IllegalArgumentException("max drift must not be negative: " + maxDriftMillis);
        }
        this.clock = clock;
        this.maxDriftMillis = maxDriftMillis;
    }

    /** A timestamp for a local event (a write this node coordinates). */
    public long now() {
        long physical = Hlc.pack(clock.wallMillis(), 0);
        return last.accumulateAndGet(physical, (prev, wall) -> Math.max(wall, Hlc.successor(prev)));
    }

    /**
     * Takes in a timestamp seen on a message or stored version, so later local ones exceed it. A
     * timestamp beyond the drift bound is ignored (and counted in {@link #ignoredObservations}).
     */
    public void observe(long remoteHlc) {
        if (Hlc.millis(remoteHlc) - clock.wallMillis() > maxDriftMillis) {
            ignored.incrementAndGet();
            return;
        }
        last.accumulateAndGet(remoteHlc, Math::max);
    }

    /** The last timestamp issued or observed, without advancing the clock. */
    public long peek() {
        return last.get();
    }

    /** How many observed timestamps were too far ahead of wall time to adopt: a skew alarm. */
    public long ignoredObservations() {
        return ignored.get();
    }
}
