package io.dynakv.replication.coordinator;

import java.util.Locale;

/**
 * How many replicas must answer: {@code one}, {@code quorum} (a majority of N, the default),
 * {@code all}, or an exact number. Chosen per request with {@code ?r=} and {@code ?w=}.
 *
 * @param level the named level, or {@code null} with an exact {@code count}
 * @param count the exact count when {@code level} is null
 */
public record ConsistencyLevel(Level level, int count) {

    /** The named levels. */
    public enum Level {
        ONE,
        QUORUM,
        ALL
    }

    public static final ConsistencyLevel QUORUM = new ConsistencyLevel(Level.QUORUM, 0);

    /** Parses a query value; the exception's message is meant for the client. */
    public static ConsistencyLevel parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "one":
                return new ConsistencyLevel(Level.ONE, 0);
            case "quorum":
                return QUORUM;
            case "all":
                return new ConsistencyLevel(Level.ALL, 0);
            default:
                try {
                    int n = Integer.parseInt(t);
                    if (n >= 1) {
                        return new ConsistencyLevel(null, n);
                    }
                } catch (NumberFormatException e) {
                    // fall through to the error below
                }
                throw new IllegalArgumentException(
                        "consistency level must be one, quorum, all or a number from 1, got '" + text + "'");
        }
    }

    /** Replicas required out of {@code replicas}; an exact count above it is a client error. */
    public int required(int replicas) {
        if (level == null) {
            if (count > replicas) {
                throw new IllegalArgumentException("asked for " + count + " replicas but the key has only " + replicas);
            }
            return count;
        }
        switch (level) {
            case ONE:
                return 1;
            case ALL:
                return replicas;
            default:
                return replicas / 2 + 1;
        }
    }

    @Override
    public String toString() {
        return level == null ? Integer.toString(count) : level.name().toLowerCase(Locale.ROOT);
    }
}
