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
 *
 * <p>Refusing to adopt a timestamp must not let a new version carry a lower one than a version it
 * descends, though: replicas resolve concurrent versions by HLC and converge only if every version
 * is stamped above its causes. So a version is stamped with {@link #stampAfter}, which may exceed
 * this clock for that one version without moving the clock.
 */
public final class HlcClock {

    /** Far above the skew of NTP-disciplined or simulated clocks, far below a lasting advantage. */
    public static final long DEFAULT_MAX_DRIFT_MILLIS = 60_000;

    /**
     * How far ahead of this node's wall clock a client's causal context is believed. A day covers a
     * node whose clock is off by minutes or set to local time instead of UTC; a context further
     * ahead can only be forged (tokens are not signed), and following it would let one token make a
     * key's writes win every conflict for years, or exhaust its timestamps ({@code Long.MAX_VALUE}
     * has no successor).
     */
    public static final long MAX_FOLLOW_MILLIS = 24 * 3_600_000L;

    private final Clock clock;
    private final long maxDriftMillis;
    private final AtomicLong last = new AtomicLong();
    /** The highest stamp {@link #stampAfter} issued: every later one exceeds it. */
    private final AtomicLong stamped = new AtomicLong();

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
     * A timestamp for a new version, larger than the timestamps of every version it descends, and a
     * fresh {@link #now()} when that is larger. A cause within the drift bound is adopted by the
     * clock ({@link #observe}); one beyond it is not, yet this version still exceeds it.
     *
     * <p>Stamps strictly increase on this node, also past the clock: a forged context can therefore
     * push this node's version stamps at most {@link #MAX_FOLLOW_MILLIS} ahead (not its clock).
     *
     * @param storedHlc the HLC of the version the coordinator holds (0 if none): written by a
     *     replica, which the cluster authenticates, so followed however far ahead it is
     * @param contextHlc the HLC of the client's causal context (0 if none): followed up to {@link
     *     #MAX_FOLLOW_MILLIS} ahead of this node's wall clock, as a forged token claims more
     */
    public long stampAfter(long storedHlc, long contextHlc) {
        observe(storedHlc);
        observe(contextHlc);
        long fresh = now();
        long ceilingMillis = clock.wallMillis() + MAX_FOLLOW_MILLIS;
        long believed = Hlc.millis(contextHlc) > ceilingMillis ? Hlc.pack(ceilingMillis, 0) : contextHlc;
        long floor = Math.max(storedHlc, believed);
        long candidate = fresh > floor ? fresh : Hlc.successor(floor);
        // Strictly above every stamp this node issued, even one pushed past the clock by a far-ahead
        // cause: a coordinator whose own copy of a key lags absorbs its earlier dots for that key
        // (VersionMinter), which is sound only if its later write also carries the later stamp.
        // Two writes after the same far-ahead cause once got the same stamp (simulator, seed 26
        // of the clock test) and replicas resolved them differently by arrival order.
        return stamped.accumulateAndGet(candidate, (prev, c) -> Math.max(c, Hlc.successor(prev)));
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
