package io.dynakv.common;

/**
 * A hybrid logical clock timestamp packed in one {@code long}: the high 48 bits are wall-clock
 * milliseconds, the low 16 bits a logical counter that orders events within one millisecond and
 * carries causality across skewed clocks (Kulkarni et al., "Logical Physical Clocks", 2014).
 * Comparing two timestamps as signed longs compares them as HLC values.
 */
public final class Hlc {

    /** Bits of the logical counter. 65,536 events a millisecond before the counter borrows time. */
    public static final int LOGICAL_BITS = 16;

    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private Hlc() {}

    public static long pack(long millis, long logical) {
        if (millis < 0 || millis >= (1L << (63 - LOGICAL_BITS))) {
            throw new IllegalArgumentException("HLC milliseconds out of range: " + millis);
        }
        if (logical < 0 || logical > LOGICAL_MASK) {
            throw new IllegalArgumentException("HLC logical counter out of range: " + logical);
        }
        return (millis << LOGICAL_BITS) | logical;
    }

    public static long millis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    public static long logical(long hlc) {
        return hlc & LOGICAL_MASK;
    }

    /** The smallest timestamp after {@code hlc}; a full logical counter rolls into the next ms. */
    public static long successor(long hlc) {
        if (hlc == Long.MAX_VALUE) {
            throw new IllegalStateException("HLC exhausted: no timestamp after " + toString(hlc));
        }
        return hlc + 1;
    }

    public static String toString(long hlc) {
        return millis(hlc) + "." + logical(hlc);
    }
}
