package io.dynakv.node;

import io.dynakv.common.Clock;

/**
 * The real clocks. The only place protocol code's time comes from in a running node.
 *
 * <p>The wall clock may be shifted by a fixed offset ({@code --test-clock-offset-ms}) so that fault
 * tests can run a node whose clock is ahead or behind the others', as NTP-less machines are. The
 * monotonic clock is never shifted: timers and failure detection measure intervals, which skew
 * does not change.
 */
public final class SystemClock implements Clock {

    private final long wallOffsetMillis;

    /** @param wallOffsetMillis added to every {@link #wallMillis()}; 0 outside clock-skew tests */
    public SystemClock(long wallOffsetMillis) {
        this.wallOffsetMillis = wallOffsetMillis;
    }

    @Override
    public long nowNanos() {
        return System.nanoTime();
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis() + wallOffsetMillis;
    }
}
