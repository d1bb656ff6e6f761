package io.dynakv.node;

import io.dynakv.common.Clock;

/**
 * The real clocks. The only place protocol code's time comes from in a running node.
 *
 * <p>The wall clock may be shifted by a fixed offset ({@code --test-clock-offset-ms}) so that fault
 * tests can run a node whose clock is ahead or behind the others', as NTP-less machines are, and
 * stepped once while the node runs ({@code --test-clock-step-ms}, {@code
 * --test-clock-step-after-ms}), forward or back, as an NTP step or a VM resumed from a snapshot
 * does. The monotonic clock is never shifted: timers and failure detection measure intervals,
 * which skew does not change.
 */
public final class SystemClock implements Clock {

    /** When the node's clocks started: every instance of a process steps at the same moment. */
    private static final long STARTED_NANOS = System.nanoTime();

    private final long wallOffsetMillis;
    private final long stepMillis;
    private final long stepAfterNanos;

    /** @param wallOffsetMillis added to every {@link #wallMillis()}; 0 outside clock-skew tests */
    public SystemClock(long wallOffsetMillis) {
        this(wallOffsetMillis, 0, 0);
    }

    /**
     * @param wallOffsetMillis added to every {@link #wallMillis()}; 0 outside clock-skew tests
     * @param stepMillis added as well, from {@code stepAfterMillis} after the clocks started
     */
    public SystemClock(long wallOffsetMillis, long stepMillis, long stepAfterMillis) {
        this.wallOffsetMillis = wallOffsetMillis;
        this.stepMillis = stepMillis;
        this.stepAfterNanos = stepAfterMillis * 1_000_000L;
    }

    /** The clocks {@code config} asks for (shifted and stepped only in clock-skew tests). */
    public static SystemClock of(NodeConfig config) {
        return new SystemClock(
                config.testClockOffset().toMillis(),
                config.testClockStep().toMillis(),
                config.testClockStepAfter().toMillis());
    }

    @Override
    public long nowNanos() {
        return System.nanoTime();
    }

    @Override
    public long wallMillis() {
        boolean stepped = stepMillis != 0 && System.nanoTime() - STARTED_NANOS >= stepAfterNanos;
        return System.currentTimeMillis() + wallOffsetMillis + (stepped ? stepMillis : 0);
    }
}
