package io.dynakv.replication.antientropy;

import io.dynakv.common.Clock;

/**
 * A token bucket on bytes: the bandwidth cap of anti-entropy, so repairing a badly diverged replica
 * does not crowd out foreground reads and writes (Dynamo paper, section 6.5 on background tasks).
 * Tokens refill at {@code bytesPerSecond} from the {@link Clock}, up to {@code burstBytes}. A send
 * may overdraw the bucket (a message is never split); the debt delays the next send until the
 * refill has paid it back, so the average rate stays at the cap.
 */
public final class ByteBudget {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Clock clock;
    private final long bytesPerSecond;
    private final long burstBytes;
    private long tokens;
    private long lastRefillNanos;
    private long fractionByteNanos;

    public ByteBudget(Clock clock, long bytesPerSecond, long burstBytes) {
        if (bytesPerSecond < 1 || burstBytes < 1) {
            throw new IllegalArgumentException(
                    "rate and burst must be positive: " + bytesPerSecond + " B/s, " + burstBytes + " B");
        }
        this.clock = clock;
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = burstBytes;
        this.lastRefillNanos = clock.nowNanos();
    }

    /** How long to wait before the next send may go: 0 when the bucket is not in debt. */
    public long delayNanos() {
        refill();
        if (tokens >= 0) {
            return 0;
        }
        // Round up, so waiting exactly this long always clears the debt.
        return nanosFor(-tokens);
    }

    /** Takes {@code bytes} for a send that goes now; the bucket may go into debt. */
    public void take(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative byte count: " + bytes);
        }
        refill();
        tokens -= bytes;
    }

    /** Tokens left now (negative: debt). */
    public long tokens() {
        refill();
        return tokens;
    }

    private void refill() {
        long now = clock.nowNanos();
        long elapsed = now - lastRefillNanos;
        if (elapsed <= 0) {
            return;
        }
        long missing = burstBytes - tokens;
        if (elapsed >= nanosFor(missing)) {
            tokens = burstBytes;
            fractionByteNanos = 0;
            lastRefillNanos = now;
            return;
        }
        // Carry the fraction of a byte (in byte-nanoseconds) so that small steps add up exactly.
        long earnedByteNanos = Math.addExact(Math.multiplyExact(elapsed, bytesPerSecond), fractionByteNanos);
        tokens += earnedByteNanos / NANOS_PER_SECOND;
        fractionByteNanos = earnedByteNanos % NANOS_PER_SECOND;
        lastRefillNanos = now;
    }

    /** The refill time of {@code bytes}, rounded up. */
    private long nanosFor(long bytes) {
        return ceilDiv(Math.multiplyExact(bytes, NANOS_PER_SECOND), bytesPerSecond);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
