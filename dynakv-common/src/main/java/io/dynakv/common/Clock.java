package io.dynakv.common;

/**
 * Time as protocol code sees it. Production reads the system clocks; the simulator hands out
 * virtual time, with skew, so runs are reproducible from a seed.
 */
public interface Clock {

    /** Monotonic time for timeouts and intervals; only differences are meaningful. */
    long nowNanos();

    /** Wall-clock milliseconds since the epoch, for the physical part of the hybrid logical clock. */
    long wallMillis();
}
