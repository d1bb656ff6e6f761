package io.dynakv.faults;

import io.dynakv.faults.check.Verdict;

/**
 * {@code faults/run.sh}: one fault run. Prints {@code SEED=} first and the summary line last;
 * exits 0 when every checker passed, 1 when one failed, 2 on a usage error.
 */
public final class FaultRun {

    private FaultRun() {}

    public static void main(String[] args) throws Exception {
        RunOptions options;
        try {
            options = RunOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Verdict verdict = new FaultRunner(options, System.out::println).run();
        System.exit(verdict.passed() ? 0 : 1);
    }
}
