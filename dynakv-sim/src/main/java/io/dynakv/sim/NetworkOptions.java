package io.dynakv.sim;

/**
 * The knobs of {@link SimNetwork}'s fault model; see there.
 *
 * @param minLatencyNanos one-way latency is uniform in [min, max]; distinct latencies reorder
 * @param lossProbability each message (and each copy) is lost independently with this chance
 * @param duplicateProbability a delivered message is delivered a second time with this chance
 * @param reorderProbability a message is held back by up to {@code reorderDelayNanos} more
 */
public record NetworkOptions(
        long minLatencyNanos,
        long maxLatencyNanos,
        double lossProbability,
        double duplicateProbability,
        double reorderProbability,
        long reorderDelayNanos) {

    public NetworkOptions {
        if (minLatencyNanos < 0 || maxLatencyNanos < minLatencyNanos || reorderDelayNanos < 0) {
            throw new IllegalArgumentException("bad latencies");
        }
        checkProbability(lossProbability);
        checkProbability(duplicateProbability);
        checkProbability(reorderProbability);
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability out of [0, 1]: " + p);
        }
    }

    /** A healthy LAN: 1 to 10 ms, nothing lost, duplicated or held back. */
    public static NetworkOptions lan() {
        return new NetworkOptions(1_000_000L, 10_000_000L, 0, 0, 0, 0);
    }

    public NetworkOptions withLoss(double p) {
        return new NetworkOptions(
                minLatencyNanos, maxLatencyNanos, p, duplicateProbability, reorderProbability, reorderDelayNanos);
    }

    public NetworkOptions withDuplication(double p) {
        return new NetworkOptions(
                minLatencyNanos, maxLatencyNanos, lossProbability, p, reorderProbability, reorderDelayNanos);
    }

    public NetworkOptions withReordering(double p, long extraDelayNanos) {
        return new NetworkOptions(
                minLatencyNanos, maxLatencyNanos, lossProbability, duplicateProbability, p, extraDelayNanos);
    }
}
