package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node as an operator meets it (DESIGN section 1, "Running a node", and Main's exit codes: 0
 * clean stop, 2 bad command line, 1 cannot start): the launcher script, its error messages, the
 * data-directory lock, a taken port, and a SIGSTOP/SIGCONT pause.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProcessLifecycleIT {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Nodes nodes = new Nodes();

    /** This test's copy of bin/dynakv (see {@link #script}). */
    private Path scriptCopy;

    @Test
    void helpExitsZeroAndDocumentsTheFlags() throws IOException {
        NodeProcess.Exit exit = script("help", "--help");

        assertThat(exit.code())
                .as("exit code of bin/dynakv --help; output:%n%s", exit.output())
                .isZero();
        assertThat(exit.output())
                .contains("Usage:", "--data-dir", "--fsync", "always", "periodic", "DYNAKV_DATA_DIR", "DYNAKV_FSYNC");
    }

    @Test
    void badFlagsExitTwoAndNameTheFlag() throws IOException {
        String[][] cases = {
            {"--no-such-flag"}, {"--fsync", "sometimes"}, {"--replication-factor", "0"}, {"127.0.0.1:notaport"}
        };
        String[] named = {"--no-such-flag", "--fsync", "--replication-factor", "notaport"};
        for (int i = 0; i < cases.length; i++) {
            NodeProcess.Exit exit = script("bad-flag", cases[i]);
            assertThat(exit.code())
                    .as("exit code of bin/dynakv %s; output:%n%s", String.join(" ", cases[i]), exit.output())
                    .isEqualTo(2);
            assertThat(exit.output())
                    .as("message of bin/dynakv %s", String.join(" ", cases[i]))
                    .contains("dynakv: ", named[i], "--help");
        }
    }

    @Test
    void aJoinThroughAnAddressWhereNothingAnswersExitsOneNamingIt() throws IOException {
        Path dataDir = nodes.newDataDir("joiner");
        String bind = ItEnv.LOOPBACK + ":" + ItEnv.freePort();
        String seed = ItEnv.LOOPBACK + ":" + ItEnv.freePort();

        NodeProcess.Exit exit =
                script("join", bind, seed, "--data-dir", dataDir.toString(), "--join-timeout-ms", "1500");

        assertThat(exit.code())
                .as("exit code when nothing answers at the join address; output:%n%s", exit.output())
                .isEqualTo(1);
        assertThat(exit.output()).contains("cannot join through " + seed).contains("/membership");
    }

    @Test
    void secondNodeOnTheSameDataDirExitsOneNamingTheDirectory() throws Exception {
        NodeProcess first = nodes.start("n1");
        KvClient client = first.client();
        JsonNode value = KvClient.MAPPER.readTree("{\"kept\":true}");
        assertThat(client.put("k", value).status()).isEqualTo(201);

        NodeProcess.Exit second = nodes.run(
                "n2-same-dir",
                NodeProcess.command(ItEnv.freePort(), first.dataDir(), List.of()),
                Map.of(),
                RUN_TIMEOUT);

        assertThat(second.code())
                .as("exit code of a second node on %s; output:%n%s", first.dataDir(), second.output())
                .isEqualTo(1);
        assertThat(second.output()).contains(first.dataDir().toString()).contains("--data-dir");
        KvClient.Response read = client.get("k");
        assertThat(read.status())
                .as("the first node still serves; %s", first.describe())
                .isEqualTo(200);
        assertThat(read.json().get("value")).isEqualTo(value);
        assertThat(first.terminate())
                .as("exit code after SIGTERM; %s", first.describe())
                .isZero();
    }

    @Test
    void sigintStopsCleanlyAndThePartitionCountCannotChange() throws Exception {
        NodeProcess node = nodes.start("n1");
        JsonNode value = KvClient.MAPPER.readTree("[1,\"two\",{\"three\":3}]");
        KvClient.Response put = node.client().put("k", value);
        assertThat(put.status()).as("PUT: %s", put).isEqualTo(201);
        assertThat(node.interrupt())
                .as("exit code after SIGINT; %s", node.describe())
                .isZero();

        NodeProcess.Exit changed = nodes.run(
                "n1-other-partitions",
                NodeProcess.command(node.port(), node.dataDir(), List.of("--partitions", "128")),
                Map.of(),
                RUN_TIMEOUT);
        assertThat(changed.code())
                .as("exit code with another --partitions; output:%n%s", changed.output())
                .isEqualTo(1);
        assertThat(changed.output()).contains("--partitions");

        node.restart();
        KvClient.Response read = node.client().get("k");
        assertThat(read.status())
                .as("after SIGINT and a refused start: %s; %s", read, node.describe())
                .isEqualTo(200);
        assertThat(read.json().get("value")).isEqualTo(value);
        assertThat(read.version()).isEqualTo(put.version());
        assertThat(node.terminate())
                .as("exit code after SIGTERM; %s", node.describe())
                .isZero();
    }

    @Test
    void portInUseExitsOneWithAClearMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            int port = taken.getLocalPort();

            NodeProcess.Exit exit = nodes.run(
                    "port-taken",
                    NodeProcess.command(port, nodes.newDataDir("port-taken"), List.of()),
                    Map.of(),
                    RUN_TIMEOUT);

            assertThat(exit.code())
                    .as("exit code on a taken port; output:%n%s", exit.output())
                    .isEqualTo(1);
            assertThat(exit.output()).contains(ItEnv.LOOPBACK + ":" + port).containsIgnoringCase("in use");
        }
    }

    @Test
    void pausedNodeDoesNotAnswerAndServesAgainAfterResume() throws Exception {
        NodeProcess node = nodes.start("n1");
        KvClient client = node.client();
        List<JsonNode> values = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            JsonNode value = RestartRecoveryIT.value(i, 0);
            KvClient.Response put = client.put("p-" + i, value);
            assertThat(put.status()).as("PUT p-%d: %s", i, put).isEqualTo(201);
            values.add(value);
            versions.add(put.version());
        }

        node.pause();
        KvClient impatient = new KvClient(node.port(), Duration.ofSeconds(1));
        assertThatThrownBy(impatient::health)
                .as("a SIGSTOPped node must not answer; %s", node.describe())
                .isInstanceOf(HttpTimeoutException.class);
        CompletableFuture<KvClient.Response> pending = client.getAsync("p-0", Duration.ofSeconds(30));
        NodeProcess.sleep(Duration.ofMillis(500));
        assertThat(pending).as("a GET sent to the paused node").isNotDone();

        node.resume();
        KvClient.Response late = pending.get(15, TimeUnit.SECONDS);
        assertThat(late.status())
                .as("the GET sent during the pause, after SIGCONT: %s", late)
                .isEqualTo(200);
        assertThat(impatient.health().status()).isEqualTo(200);
        for (int i = 0; i < values.size(); i++) {
            KvClient.Response read = client.get("p-" + i);
            assertThat(read.status())
                    .as("p-%d after the pause: %s; %s", i, read, node.describe())
                    .isEqualTo(200);
            assertThat(read.json().get("value")).isEqualTo(values.get(i));
            assertThat(read.version()).isEqualTo(versions.get(i));
        }
        assertThat(client.put("after-pause", values.get(0)).status()).isEqualTo(201);
        assertThat(node.terminate())
                .as("exit code after SIGTERM; %s", node.describe())
                .isZero();
    }

    /**
     * Runs {@code bin/dynakv} with {@code args}. The script rebuilds the jar when any source is
     * newer than it, which in a working tree being edited would start Maven inside the test, so it
     * runs from a copy of the script next to a link to the built jar: same script, same jar, no build.
     */
    private NodeProcess.Exit script(String name, String... args) throws IOException {
        if (scriptCopy == null) {
            Path script = ItEnv.repoRoot().resolve("bin").resolve("dynakv");
            assertThat(script).as("the launcher script").isExecutable();
            Path root = nodes.newDataDir("script-root");
            Path bin = Files.createDirectories(root.resolve("bin"));
            scriptCopy = Files.copy(script, bin.resolve("dynakv"), StandardCopyOption.COPY_ATTRIBUTES);
            Path target = Files.createDirectories(root.resolve("dynakv-node").resolve("target"));
            Files.createSymbolicLink(target.resolve("dynakv.jar"), ItEnv.jar());
        }
        List<String> command = new ArrayList<>();
        command.add(scriptCopy.toString());
        command.addAll(List.of(args));
        String javaBin = Path.of(ItEnv.javaCommand()).getParent().toString();
        return nodes.run(
                name,
                command,
                Map.of(
                        "PATH",
                        javaBin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                        "DYNAKV_JAVA_OPTS",
                        NodeProcess.HEAP),
                RUN_TIMEOUT);
    }
}
