package io.dynakv.faults.check;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Checker (d): how long after the heal the replicas first all agreed, from the polls taken after
 * it. Empty when no poll found them converged: the run failed to converge within its budget.
 */
public final class ConvergenceCheck {

    /**
     * One round of local reads of every key on every node.
     *
     * @param sinceHealMicros when the round finished, after the heal completed
     * @param divergedKeys how many keys had diverged in it
     */
    public record Poll(long sinceHealMicros, int divergedKeys) {}

    private ConvergenceCheck() {}

    /** Seconds from the heal to the first poll with no diverged key. */
    public static OptionalDouble secondsToConverge(List<Poll> polls) {
        return polls.stream()
                .filter(p -> p.divergedKeys() == 0)
                .mapToDouble(p -> p.sinceHealMicros() / 1e6)
                .findFirst();
    }
}
