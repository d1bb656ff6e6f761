package io.dynakv.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per-test owner of node processes ({@code @RegisterExtension}), in the spirit of Aeron's
 * {@code SystemTestWatcher}: files are named after the test, every process the test started is
 * killed after it, and on failure the logs and data directories are kept and their paths printed.
 * Logs are kept after a pass too (they are small and under target/); data directories are not.
 */
final class Nodes implements BeforeEachCallback, AfterEachCallback {

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private String testName = "unnamed";

    @Override
    public void beforeEach(ExtensionContext context) {
        testName = context.getRequiredTestClass().getSimpleName() + "."
                + context.getRequiredTestMethod().getName();
        nodes.clear();
        dataDirs.clear();
        logs.clear();
    }

    /** Starts a node on a free loopback port with a fresh data directory. */
    NodeProcess start(String name, String... extraArgs) {
        return start(name, newDataDir(name), extraArgs);
    }

    /** Starts a node on a free loopback port with the given data directory. */
    NodeProcess start(String name, Path dataDir, String... extraArgs) {
        NodeProcess node = NodeProcess.start(name, ItEnv.freePort(), dataDir, logFile(name), List.of(extraArgs));
        nodes.add(node);
        return node;
    }

    /**
     * Starts a cluster member on free loopback ports (HTTP and {@code --peer-port}) with a fresh
     * data directory, and returns once it serves.
     *
     * @param join a member to join through (its HTTP address), on the first start only; null: the
     *     first node of a cluster
     * @param env added to the node's environment, e.g. {@code DYNAKV_CLUSTER_SECRET}
     */
    NodeProcess startMember(String name, NodeProcess join, Map<String, String> env, String... extraArgs) {
        NodeProcess node = spawnMember(name, join, env, extraArgs);
        node.awaitServing();
        return node;
    }

    /** As {@link #startMember}, but returns at once: the caller waits ({@link NodeProcess#awaitServing}) or not. */
    NodeProcess spawnMember(String name, NodeProcess join, Map<String, String> env, String... extraArgs) {
        return spawnMember(name, join, env, newDataDir(name), extraArgs);
    }

    /** As {@link #spawnMember}, on the given data directory (say, a small filesystem mounted there). */
    NodeProcess spawnMember(String name, NodeProcess join, Map<String, String> env, Path dataDir, String... extraArgs) {
        int port = ItEnv.freePort();
        int peerPort = ItEnv.freePort();
        for (int attempt = 0; attempt < 10 && peerPort == port; attempt++) {
            peerPort = ItEnv.freePort();
        }
        List<String> args = new ArrayList<>(List.of("--peer-port", Integer.toString(peerPort)));
        args.addAll(List.of(extraArgs));
        NodeProcess node =
                NodeProcess.spawn(name, port, dataDir, logFile(name), args, join == null ? null : join.address(), env);
        nodes.add(node);
        return node;
    }

    /**
     * Launches a node at a given port and data directory (another node's, to take its place) and
     * returns at once; it is stopped after the test like every other.
     */
    NodeProcess spawnAt(String name, int port, Path dataDir, String join, List<String> args) {
        NodeProcess node = NodeProcess.spawn(name, port, dataDir, logFile(name), args, join, Map.of());
        nodes.add(node);
        return node;
    }

    /** Runs a command to its end, output in the test's log named {@code name}. */
    NodeProcess.Exit run(String name, List<String> command, Map<String, String> env, Duration timeout) {
        return NodeProcess.runToExit(command, env, logFile(name), timeout);
    }

    /** A new, empty data directory for this test. */
    Path newDataDir(String name) {
        try {
            Path dir = Files.createTempDirectory(ItEnv.dataRoot(), testName + "." + name + ".");
            dataDirs.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log file of {@code name} in this test; emptied the first time this test asks for it. */
    Path logFile(String name) {
        Path log = ItEnv.logsDir().resolve(testName + "." + name + ".log");
        if (!logs.contains(log)) {
            logs.add(log);
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return log;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (NodeProcess node : nodes) {
            node.close();
        }
        if (context.getExecutionException().isPresent()) {
            System.err.println("[dynakv-it] " + testName + " FAILED; kept for inspection:");
            logs.forEach(log -> System.err.println("[dynakv-it]   log  " + log));
            dataDirs.forEach(dir -> System.err.println("[dynakv-it]   data " + dir));
        } else {
            dataDirs.forEach(Nodes::deleteTree);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("[dynakv-it] could not delete " + dir + ": " + e);
        }
    }
}
