package io.dynakv.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One DynaKV node as a real child process ({@code java -jar dynakv.jar}), bound to loopback, with
 * its own data directory and a log file that outlives it. Faults are real signals sent to its pid:
 * SIGKILL ({@link #kill9}), SIGTERM ({@link #terminate}), SIGSTOP/SIGCONT ({@link #pause},
 * {@link #resume}). Nothing is ever killed by name.
 *
 * <p>Not thread-safe: one test thread drives a node; client threads only talk to its port.
 */
final class NodeProcess implements AutoCloseable {

    /** How long a node may take from launch to {@code GET /health} 200. */
    static final Duration START_DEADLINE = Duration.ofSeconds(30);

    /** How long a node may take to exit after SIGTERM or SIGKILL. */
    static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);

    /** The heap of a test node: the data lives in RocksDB, off-heap. */
    static final String HEAP = "-Xmx256m";

    /** Children still running when the test JVM exits (a crash, a timeout) are killed with it. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "dynakv-it-reaper"));
    }

    private final String name;
    private final int port;
    private final Path dataDir;
    private final Path logFile;
    private final List<String> extraArgs;
    private final String joinAddress;
    private final Map<String, String> env;
    private Process process;
    private int starts;
    private boolean paused;
    private long launchNanos;

    private NodeProcess(
            String name,
            int port,
            Path dataDir,
            Path logFile,
            List<String> extraArgs,
            String joinAddress,
            Map<String, String> env) {
        this.name = name;
        this.port = port;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.extraArgs = List.copyOf(extraArgs);
        this.joinAddress = joinAddress;
        this.env = Map.copyOf(env);
    }

    /** Launches a node and returns once it answers {@code GET /health} with 200. */
    static NodeProcess start(String name, int port, Path dataDir, Path logFile, List<String> extraArgs) {
        return start(name, port, dataDir, logFile, extraArgs, null, Map.of());
    }

    /**
     * Launches a node and returns once it answers {@code GET /health} with 200 (a joining node: once
     * it holds the ring).
     *
     * @param joinAddress {@code host:port} of a member to join through, passed on the first start
     *     only (a restarted node rejoins by itself); null: no join argument
     * @param env added to the node's environment (e.g. {@code DYNAKV_CLUSTER_SECRET})
     */
    static NodeProcess start(
            String name,
            int port,
            Path dataDir,
            Path logFile,
            List<String> extraArgs,
            String joinAddress,
            Map<String, String> env) {
        NodeProcess node = spawn(name, port, dataDir, logFile, extraArgs, joinAddress, env);
        node.awaitServing();
        return node;
    }

    /**
     * Launches a node and returns at once, without waiting for it to serve: for a node that may
     * never serve (a joiner the cluster refuses), and for starting several nodes at the same time
     * (then {@link #awaitServing} each).
     */
    static NodeProcess spawn(
            String name,
            int port,
            Path dataDir,
            Path logFile,
            List<String> extraArgs,
            String joinAddress,
            Map<String, String> env) {
        NodeProcess node = new NodeProcess(name, port, dataDir, logFile, extraArgs, joinAddress, env);
        node.launch();
        return node;
    }

    /** {@code java -Xmx256m -jar dynakv.jar 127.0.0.1:<port> --data-dir <dir> <extra...>}. */
    static List<String> command(int port, Path dataDir, List<String> extraArgs) {
        return command(port, null, dataDir, extraArgs);
    }

    /** As {@link #command(int, Path, List)}, with the join address (when not null) after the bind address. */
    static List<String> command(int port, String joinAddress, Path dataDir, List<String> extraArgs) {
        List<String> command = new ArrayList<>(List.of(
                ItEnv.javaCommand(),
                HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                ItEnv.jar().toString()));
        command.add(ItEnv.LOOPBACK + ":" + port);
        if (joinAddress != null) {
            command.add(joinAddress);
        }
        command.addAll(List.of("--data-dir", dataDir.toString()));
        command.addAll(extraArgs);
        return command;
    }

    /** The result of a command run to its end: exit code and everything it printed. */
    record Exit(int code, String output) {}

    /**
     * Runs a command (a node that should refuse to start, or {@code bin/dynakv --help}) to its end,
     * output appended to {@code logFile}; kills it and fails when it outlives {@code timeout}.
     */
    static Exit runToExit(List<String> command, Map<String, String> env, Path logFile, Duration timeout) {
        try {
            long offset = appendHeader(logFile, "run " + String.join(" ", command));
            ProcessBuilder builder = builder(command, logFile);
            builder.environment().put("MALLOC_ARENA_MAX", "2"); // as bin/dynakv sets it
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            LIVE.add(process);
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(EXIT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                    throw new AssertionError("still running after " + timeout + ": " + String.join(" ", command)
                            + "; output in " + logFile);
                }
            } finally {
                LIVE.remove(process);
            }
            byte[] all = Files.readAllBytes(logFile);
            String output = new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
            return new Exit(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}: how the cluster's {@code /membership} names this node. */
    String address() {
        return ItEnv.LOOPBACK + ":" + port;
    }

    /** {@link System#nanoTime} when the current process was launched (to time what follows a start). */
    long launchNanos() {
        return launchNanos;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    /** The RocksDB directory inside the data directory, for tests that damage its files. */
    Path rocksDir() {
        return dataDir.resolve("rocksdb");
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** A fresh client for this incarnation of the node. */
    KvClient client() {
        return new KvClient(port);
    }

    /** The node's id as {@code GET /health} reports it. */
    String nodeId() {
        try {
            KvClient.Response health = new KvClient(port).health();
            if (health.status() != 200) {
                throw new AssertionError("health is " + health + "; " + describe());
            }
            return health.json().path("node_id").asText();
        } catch (IOException e) {
            throw new AssertionError("health failed: " + e + "; " + describe(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** SIGKILL ({@code kill -9}): the node gets no chance to flush anything. */
    void kill9() {
        paused = false;
        process.destroyForcibly();
        awaitExit("SIGKILL");
    }

    /** SIGTERM: a clean stop. Returns the exit code (0 is the contract). */
    int terminate() {
        if (paused) {
            resume(); // a stopped process would hold the SIGTERM until SIGCONT
        }
        process.destroy();
        return awaitExit("SIGTERM");
    }

    /** SIGINT (Ctrl-C in a terminal): also a clean stop. Returns the exit code. */
    int interrupt() {
        if (paused) {
            resume();
        }
        signal("-INT");
        return awaitExit("SIGINT");
    }

    /** SIGSTOP: the process is frozen (sockets stay open, nothing answers) until {@link #resume}. */
    void pause() {
        signal("-STOP");
        paused = true;
        awaitProcState(true);
    }

    /** SIGCONT after {@link #pause}. */
    void resume() {
        signal("-CONT");
        paused = false;
        awaitProcState(false);
    }

    /**
     * Starts the node again on the same port, data directory and flags, after it exited, and waits
     * until it serves. The join address, if any, is not passed again: a restarted member rejoins
     * by itself.
     */
    void restart() {
        if (isAlive()) {
            throw new IllegalStateException("restart() of a running node; stop it first: " + describe());
        }
        launch();
        awaitServing();
    }

    /** As {@link #restart}, but returns at once: for a restart that may end in a refusal. */
    void relaunch() {
        if (isAlive()) {
            throw new IllegalStateException("relaunch() of a running node; stop it first: " + describe());
        }
        launch();
    }

    /** The flags after the data directory, as given at construction (e.g. {@code --peer-port P}). */
    List<String> extraArgs() {
        return extraArgs;
    }

    /**
     * Waits until the process exits by itself and returns its code; fails when it still runs after
     * {@code bound} (the process is left running for the caller to inspect and the test to kill).
     */
    int awaitOwnExit(Duration bound) {
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + bound + "; " + describe() + "\n" + logTail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + describe() + " to exit", e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** Waits until the node answers {@code GET /health} with 200; kills it and fails after {@link #START_DEADLINE}. */
    void awaitServing() {
        awaitHealthy();
    }

    /** The exit code of a process that has exited; fails when it still runs. */
    int exitCode() {
        if (process.isAlive()) {
            throw new IllegalStateException("still running: " + describe());
        }
        return process.exitValue();
    }

    /** Names the node, its pid, port, data directory and log for assertion messages. */
    String describe() {
        return "node " + name + " (pid " + (process == null ? "-" : process.pid()) + ", 127.0.0.1:" + port + ", data "
                + dataDir + ", log " + logFile + ")";
    }

    /** The last lines of the node's log, for a failure message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Kills the node if it still runs: a test never leaves a process behind. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
            try {
                process.waitFor(EXIT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (process != null) {
            LIVE.remove(process);
        }
    }

    private void launch() {
        starts++;
        List<String> command = command(port, starts == 1 ? joinAddress : null, dataDir, extraArgs);
        try {
            String envNote = env.isEmpty() ? "" : " (env " + String.join(",", env.keySet()) + ")";
            appendHeader(logFile, "start #" + starts + " of " + name + envNote + ": " + String.join(" ", command));
            ProcessBuilder builder = builder(command, logFile);
            builder.environment().putAll(env);
            launchNanos = System.nanoTime();
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command, e);
        }
        LIVE.add(process);
        paused = false;
    }

    private void awaitHealthy() {
        KvClient client = new KvClient(port, Duration.ofSeconds(1));
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("node exited with code " + process.exitValue() + " before serving; "
                        + describe() + "\n" + logTail(30));
            }
            try {
                KvClient.Response health = client.health();
                if (health.status() == 200) {
                    return;
                }
                last = health.toString();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + describe(), e);
            }
            sleep(Duration.ofMillis(100));
        }
        close();
        throw new AssertionError("node did not serve within " + START_DEADLINE + " (last health: " + last + "); "
                + describe() + "\n" + logTail(30));
    }

    private int awaitExit(String what) {
        try {
            if (!process.waitFor(EXIT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("node did not exit within " + EXIT_DEADLINE + " after " + what + "; "
                        + describe() + "\n" + logTail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + describe() + " to exit", e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** {@code kill -STOP|-CONT <pid>}: Java has no API for these signals. */
    private void signal(String signal) {
        long pid = process.pid();
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new AssertionError("kill " + signal + " " + pid + " did not finish");
            }
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.exitValue() != 0) {
                throw new AssertionError("kill " + signal + " " + pid + " exited " + kill.exitValue() + ": " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill " + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits until Linux reports the process stopped (state T) or not; skipped without /proc. */
    private void awaitProcState(boolean stopped) {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        if (!Files.isReadable(stat)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                String text = Files.readString(stat, StandardCharsets.UTF_8);
                // Format: pid (comm) state ...; comm may hold spaces, so read after the last ')'.
                char state = text.charAt(text.lastIndexOf(')') + 2);
                if ((state == 'T') == stopped) {
                    return;
                }
            } catch (IOException | UncheckedIOException e) {
                return; // the process is gone; the caller's next step reports it
            }
            sleep(Duration.ofMillis(10));
        }
        throw new AssertionError("process never became " + (stopped ? "stopped" : "running") + "; " + describe());
    }

    private static ProcessBuilder builder(List<String> command, Path logFile) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                // A node without --data-dir writes ./data/...: keep that under target/ too.
                .directory(ItEnv.dataRoot().toFile());
        // Hermetic: a developer's DYNAKV_FSYNC=periodic must not weaken the durability tests.
        builder.environment().keySet().removeIf(key -> key.startsWith("DYNAKV_"));
        return builder;
    }

    /** Appends a marker line and returns the file's length after it (where the run's output starts). */
    private static long appendHeader(Path logFile, String what) throws IOException {
        Files.createDirectories(logFile.getParent());
        Files.writeString(
                logFile,
                "==== dynakv-it " + Instant.now() + " " + what + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return Files.size(logFile);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
