package io.dynakv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 3 item 8a: after sequential joins every node lists every other ALIVE, within a bounded
 * number of protocol periods; gossip traffic per node stays flat as the cluster grows.
 */
class MembershipConvergenceTest {

    private static final long BUDGET_PERIODS = 40;
    private static final long STEADY_PERIODS = 40;

    @ParameterizedTest
    @ValueSource(ints = {5, 50, 200})
    void everyNodeListsEveryOtherAliveAfterSequentialJoins(int n) {
        for (long seed : SimSeeds.seeds(n == 200 ? new long[] {42} : new long[] {42, 7, 1234})) {
            SimSeeds.announce(seed, "membership convergence n=" + n);
            long trace = run(seed, n, true);
            assertThat(run(seed, n, false)).as("same seed, same trace").isEqualTo(trace);
        }
    }

    private static long run(long seed, int n, boolean report) {
        SwimSimulation s = SwimScenarios.joinSequentially(seed, n, SwimScenarios.s0Spacing(), NetworkOptions.lan());
        long periods = s.periodsUntil(s::converged, BUDGET_PERIODS);
        assertThat(periods)
                .as("seed %d: periods to converge after the last join", seed)
                .isBetween(0L, BUDGET_PERIODS);
        s.runPeriods(STEADY_PERIODS); // let the joins' gossip drain: measure the steady state
        s.resetTraffic();
        s.runPeriods(STEADY_PERIODS);
        assertThat(s.converged()).isTrue();
        double seconds = STEADY_PERIODS * s.config().protocolPeriodNanos() / 1e9;
        double msgs = s.messages() / seconds / n;
        double bytes = s.bytes() / seconds / n;
        double claimsPerMsg = s.messages() == 0 ? 0 : (double) s.claims() / s.messages();
        if (report) {
            System.out.printf(
                    Locale.ROOT,
                    "n=%d seed=%d: converged %d periods after the last join; steady state per node: %.2f msg/s,"
                            + " ~%.0f B/s, %.2f updates/msg; trace %016x%n",
                    n,
                    seed,
                    periods,
                    msgs,
                    bytes,
                    claimsPerMsg,
                    s.simulator().trace().value());
        }
        // Each node sends one ping and answers about one per period: ~4 msg/s at 500 ms, for any n.
        assertThat(msgs).isBetween(2.0, 8.0);
        return s.simulator().trace().value();
    }
}
