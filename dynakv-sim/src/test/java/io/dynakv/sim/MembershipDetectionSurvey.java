package io.dynakv.sim;

import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a check but a measurement, run on demand ({@code -Dsim.survey=true}, with {@code
 * -Dsim.seeds=<count>} and {@code -Dsim.survey.n=<nodes>}): where the time to detect a crash goes.
 * For each seed it crashes one node of a converged cluster and reports, in protocol periods after
 * the crash, the first suspicion anywhere, the first DEAD declaration, and the last node to see
 * the crashed one DEAD, plus the trace hash of the run (to compare builds that must behave alike).
 */
@EnabledIfSystemProperty(named = "sim.survey", matches = "true")
class MembershipDetectionSurvey {

    @Test
    void crashDetection() {
        int n = Integer.getInteger("sim.survey.n", 200);
        List<long[]> rows = new ArrayList<>();
        for (long seed : seeds(42, 7, 1234, 4159109005302197185L)) {
            rows.add(crash(seed, n));
        }
        summarize("first SUSPECT", rows, 1);
        summarize("first DEAD", rows, 2);
        summarize("all DEAD", rows, 3);
        summarize("all DEAD (checked per period)", rows, 4);
    }

    /**
     * The fixed seeds, topped up to {@code -Dsim.seeds} from a fixed stream rather than fresh
     * ones, so that two builds are measured on the same runs.
     */
    private static List<Long> seeds(long... fixed) {
        String replay = System.getProperty("seed");
        if (replay != null && replay.matches("-?\\d+")) {
            return List.of(Long.parseLong(replay));
        }
        List<Long> seeds = new ArrayList<>();
        for (long s : fixed) {
            seeds.add(s);
        }
        SplittableRandom more = new SplittableRandom(2024);
        while (seeds.size() < Integer.getInteger("sim.seeds", fixed.length)) {
            seeds.add(more.nextLong());
        }
        return seeds;
    }

    private static long[] crash(long seed, int n) {
        SwimSimulation s = SwimScenarios.converged(seed, n, 40);
        int victim = 1 + s.simulator().random().nextInt(n - 1);
        NodeId vid = s.node(victim).id();
        long[] firstSuspect = {Long.MAX_VALUE};
        long[] firstDead = {Long.MAX_VALUE};
        long[] lastDead = {0};
        long crashAt = s.simulator().nowNanos();
        for (int i = 0; i < n; i++) {
            if (i == victim) {
                continue;
            }
            s.node(i).membership().addListener((before, after) -> {
                if (!after.id().equals(vid)) {
                    return;
                }
                long t = s.simulator().nowNanos() - crashAt;
                if (after.status() == MemberStatus.SUSPECT) {
                    firstSuspect[0] = Math.min(firstSuspect[0], t);
                } else if (after.status() == MemberStatus.DEAD) {
                    firstDead[0] = Math.min(firstDead[0], t);
                    lastDead[0] = Math.max(lastDead[0], t);
                }
            });
        }
        s.crash(victim);
        long detected = s.periodsUntil(() -> s.allSee(victim, MemberStatus.DEAD), 60);
        double period = s.config().protocolPeriodNanos();
        System.out.printf(
                Locale.ROOT,
                "SURVEY n=%d seed=%d: first SUSPECT %.1f, first DEAD %.1f, all DEAD %.1f (%d checked) periods;"
                        + " trace %016x%n",
                n,
                seed,
                firstSuspect[0] / period,
                firstDead[0] / period,
                lastDead[0] / period,
                detected,
                s.simulator().trace().value());
        return new long[] {
            seed,
            Math.round(10 * firstSuspect[0] / period),
            Math.round(10 * firstDead[0] / period),
            Math.round(10 * lastDead[0] / period),
            10 * detected
        };
    }

    private static void summarize(String what, List<long[]> rows, int column) {
        List<Long> values = new ArrayList<>();
        for (long[] r : rows) {
            values.add(r[column]);
        }
        Collections.sort(values);
        System.out.printf(
                Locale.ROOT,
                "SURVEY %s: min %.1f median %.1f p90 %.1f max %.1f periods over %d seeds%n",
                what,
                values.get(0) / 10.0,
                values.get(values.size() / 2) / 10.0,
                values.get(Math.min(values.size() - 1, (int) (values.size() * 0.9))) / 10.0,
                values.get(values.size() - 1) / 10.0,
                values.size());
    }

    /** False suspicions and DEAD declarations under 5% loss: the price of faster detection. */
    @Test
    void falsePositivesUnderLoss() {
        int totalDeaths = 0;
        for (long seed : seeds(42, 7)) {
            SwimSimulation s = SwimScenarios.converged(seed, 50, 40);
            int[] suspicions = {0};
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int observer = i;
                s.node(i).membership().addListener((before, after) -> {
                    if (after.status() == MemberStatus.SUSPECT) {
                        suspicions[0]++;
                    }
                    events.add(String.format(
                            Locale.ROOT,
                            "%.2f %d %s %s/%d",
                            s.simulator().nowNanos() / 5e8,
                            observer,
                            after.id(),
                            after.status(),
                            after.incarnation()));
                });
            }
            s.network()
                    .setOptions(NetworkOptions.lan()
                            .withLoss(0.05)
                            .withDuplication(0.01)
                            .withReordering(0.05, 50_000_000L));
            s.runPeriods(200);
            totalDeaths += s.deaths().size();
            if (Boolean.getBoolean("sim.survey.verbose")) {
                for (String d : s.deaths()) {
                    String subject = d.substring(d.lastIndexOf(' ', d.length() - 6) + 1, d.length() - 5);
                    System.out.println("DEATH " + d);
                    events.stream().filter(e -> e.contains(subject)).forEach(e -> System.out.println("  " + e));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "SURVEY loss seed=%d: %d suspicions, %d false DEAD; trace %016x%n",
                    seed,
                    suspicions[0],
                    s.deaths().size(),
                    s.simulator().trace().value());
        }
        System.out.println("SURVEY loss: total false DEAD " + totalDeaths);
    }
}
