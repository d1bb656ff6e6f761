package io.dynakv.faults;

import io.dynakv.faults.check.ConvergenceCheck;
import io.dynakv.faults.check.DivergenceCheck;
import io.dynakv.faults.check.ReplicaRead;
import io.dynakv.faults.check.Verdict;
import io.dynakv.faults.cluster.ClusterController;
import io.dynakv.faults.cluster.Http;
import io.dynakv.faults.cluster.LoopbackNetwork;
import io.dynakv.faults.cluster.NamespaceNetwork;
import io.dynakv.faults.cluster.Network;
import io.dynakv.faults.history.History;
import io.dynakv.faults.history.Workload;
import io.dynakv.faults.nemesis.Fault;
import io.dynakv.faults.nemesis.Nemesis;
import io.dynakv.faults.nemesis.Schedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * One fault run, start to verdict: network, cluster, workload under the nemesis, heal, wait for
 * the replicas to converge, check. Node logs, {@code history.jsonl} and {@code summary.txt} go to a
 * directory per run under the output directory. Everything started is stopped and everything
 * created is removed in {@code finally}, and by a shutdown hook if the harness is killed.
 */
public final class FaultRunner {

    /** Polls of the replicas after the heal, at most this often. */
    private static final Duration SURVEY_EVERY = Duration.ofSeconds(1);

    /** N: the nodes run with the default {@code --replication-factor}. */
    private static final int REPLICATION_FACTOR = 3;

    private final RunOptions options;
    private final Consumer<String> out;

    public FaultRunner(RunOptions options, Consumer<String> out) {
        this.options = options;
        this.out = out;
    }

    /** Runs and returns the verdict; the last line printed is its summary. */
    public Verdict run() throws IOException, InterruptedException {
        out.accept("SEED=" + options.seed());
        Path dir = Files.createDirectories(options.out()
                .toAbsolutePath()
                .resolve("run-" + options.seed() + "-" + ProcessHandle.current().pid()));
        Network network = network();
        ClusterController cluster = new ClusterController(
                network, options.jar().toAbsolutePath(), dir, 21_000 + new SplittableRandom().nextInt(800) * 10);
        Thread cleanup = new Thread(() -> close(cluster, network), "dynakv-faults-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (History history = History.recordingTo(dir.resolve("history.jsonl"))) {
            out.accept("network: " + network + "; run directory " + dir);
            cluster.start(options.nodes());
            out.accept("cluster up: " + cluster.addresses());
            Verdict verdict = faultAndCheck(cluster, network, history);
            out.accept("history: " + dir.resolve("history.jsonl"));
            verdict.anomalies().stream().limit(20).forEach(a -> out.accept("ANOMALY " + a));
            out.accept(verdict.summaryLine());
            Files.writeString(
                    dir.resolve("summary.txt"),
                    "SEED=" + options.seed() + " " + verdict.summaryLine() + "\n",
                    StandardCharsets.UTF_8);
            return verdict;
        } finally {
            close(cluster, network);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private Verdict faultAndCheck(ClusterController cluster, Network network, History history)
            throws InterruptedException {
        List<Fault> schedule = Schedule.generate(
                options.seed(), options.workload().toMillis(), options.nodes(), network.canPartition());
        schedule.forEach(f -> out.accept("schedule: " + f));
        Nemesis nemesis = new Nemesis(cluster, network, schedule, out);
        Http http = new Http();
        long start = System.nanoTime();
        long deadline = start + options.workload().toNanos();
        Thread nemesisThread = new Thread(
                () -> {
                    try {
                        nemesis.run(start, deadline);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "nemesis");
        nemesisThread.start();
        new Workload(http, cluster::addresses, nemesis::currentFault, history, options.keys(), options.maxOps(), start)
                .run(options.clients(), options.workload(), new SplittableRandom(options.seed()));
        nemesisThread.join(Duration.ofMinutes(3).toMillis());
        if (nemesisThread.isAlive()) {
            throw new IllegalStateException("the nemesis did not finish healing its last fault");
        }
        network.heal();
        cluster.awaitAllUp(Duration.ofSeconds(60));
        long healed = System.nanoTime();
        out.accept(String.format(Locale.ROOT, "healed at %.1f s; surveying replicas", (healed - start) / 1e9));

        List<String> keys =
                IntStream.range(0, options.keys()).mapToObj(k -> "k" + k).toList();
        ReplicaSurvey survey = new ReplicaSurvey(http, keys);
        List<ConvergenceCheck.Poll> polls = new ArrayList<>();
        List<ReplicaRead> reads;
        while (true) {
            long round = System.nanoTime();
            reads = survey.read(cluster.addresses());
            int diverged = DivergenceCheck.check(reads, REPLICATION_FACTOR).size();
            polls.add(new ConvergenceCheck.Poll((System.nanoTime() - healed) / 1000, diverged));
            if (diverged == 0
                    || System.nanoTime() - healed > options.convergeWithin().toNanos()) {
                break;
            }
            Thread.sleep(Math.max(0, SURVEY_EVERY.toMillis() - (System.nanoTime() - round) / 1_000_000));
        }
        out.accept("survey polls (s since heal, diverged keys): "
                + polls.stream()
                        .map(p -> String.format(Locale.ROOT, "%.1f:%d", p.sinceHealMicros() / 1e6, p.divergedKeys()))
                        .toList());
        return Verdict.of(
                history.ops(), survey.finalValues(reads, cluster.addresses().get(0)), reads, REPLICATION_FACTOR, polls);
    }

    private Network network() {
        boolean wantNamespaces =
                options.network().equals("netns") || (options.network().equals("auto") && NamespaceNetwork.available());
        if (!wantNamespaces) {
            return new LoopbackNetwork();
        }
        try {
            return NamespaceNetwork.create(options.nodes(), new SplittableRandom());
        } catch (RuntimeException e) {
            if (options.network().equals("netns")) {
                throw e;
            }
            out.accept("network namespaces unavailable (" + e.getMessage() + "); falling back to loopback");
            return new LoopbackNetwork();
        }
    }

    private static void close(ClusterController cluster, Network network) {
        try {
            cluster.close();
        } finally {
            network.close();
        }
    }
}
