package io.dynakv.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.faults.check.Anomaly;
import io.dynakv.faults.check.Verdict;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short fault run of {@code mvn verify}: five real nodes (in network namespaces when the build
 * runs as root, else on loopback), 60 s of workload under the nemesis, then the checkers. Seed 6
 * by default, whose schedule has a split, an isolated node, a pause, a clock skew and a replacement
 * (the loopback schedule of the same seed has no partitions); {@code -Dseed=} runs another.
 *
 * <p>Fault model: see {@link io.dynakv.faults.nemesis} and {@link io.dynakv.faults.cluster}.
 */
@Timeout(value = 170, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShortFaultRunIT {

    private static final long DEFAULT_SEED = 6;

    @Test
    void noAcknowledgedWriteLostNoDeleteResurrectedAndReplicasConverge() throws Exception {
        RunOptions options = new RunOptions(
                seed(),
                Duration.ofSeconds(60),
                5,
                6,
                200,
                1_000_000,
                Duration.ofSeconds(45),
                "auto",
                java.nio.file.Path.of(System.getProperty("dynakv.jar")),
                java.nio.file.Path.of(System.getProperty("dynakv.faults.out", "target/fault-runs")));
        Verdict verdict = new FaultRunner(options, line -> System.out.println("[ShortFaultRunIT] " + line)).run();

        String context = "SEED=" + options.seed() + " " + verdict.summaryLine() + "\n" + verdict.anomalies();
        assertThat(verdict.count(Anomaly.Kind.LOST)).as(context).isZero();
        assertThat(verdict.count(Anomaly.Kind.RESURRECTED)).as(context).isZero();
        assertThat(verdict.count(Anomaly.Kind.PHANTOM)).as(context).isZero();
        assertThat(verdict.count(Anomaly.Kind.DIVERGED)).as(context).isZero();
        assertThat(verdict.count(Anomaly.Kind.UNVERIFIED)).as(context).isZero();
        assertThat(verdict.convergeSeconds()).as(context).isPresent();
        assertThat(verdict.acked()).as(context).isPositive();
    }

    private static long seed() {
        String property = System.getProperty("seed");
        return property == null || property.isBlank() || property.startsWith("$")
                ? DEFAULT_SEED
                : Long.parseLong(property.trim());
    }
}
