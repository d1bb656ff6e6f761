package io.dynakv.faults.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One node as a real child process, {@code [ip netns exec NS] java -jar dynakv.jar host:port ...},
 * with its own data directory and a log file that outlives it. {@code ip netns exec} execs the
 * command, so the pid is the JVM's and signals reach it directly. Nothing is ever killed by name.
 */
public final class NodeProcess {

    /** Children still running when the harness exits are killed with it. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "dynakv-faults-reaper"));
    }

    private final String name;
    private final String host;
    private final int port;
    private final Path dataDir;
    private final Path logFile;
    private final List<String> launchPrefix;
    private final Path jar;
    private final String join;
    private Process process;
    private int starts;

    NodeProcess(String name, String host, int port, Path dir, List<String> launchPrefix, Path jar, String join) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.dataDir = dir.resolve(name + "-data");
        this.logFile = dir.resolve(name + ".log");
        this.launchPrefix = List.copyOf(launchPrefix);
        this.jar = jar;
        this.join = join;
    }

    public String name() {
        return name;
    }

    /** {@code host:port}, as {@code /membership} names the node. */
    public String address() {
        return host + ":" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Launches the node (the join address only on the first start: a restarted member rejoins by
     * itself), its wall clock shifted and stepped by {@code clock} ({@link ClockShift#NONE}: the
     * true time).
     */
    void launch(ClockShift clock) {
        starts++;
        List<String> command = new ArrayList<>(launchPrefix);
        command.addAll(List.of(
                javaCommand(),
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                jar.toString(),
                address()));
        if (starts == 1 && join != null) {
            command.add(join);
        }
        command.addAll(List.of("--data-dir", dataDir.toString(), "--event-loops", "1"));
        command.addAll(clock.flags());
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(
                    logFile,
                    "==== dynakv-faults " + Instant.now() + " start #" + starts + ": " + String.join(" ", command)
                            + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().keySet().removeIf(key -> key.startsWith("DYNAKV_"));
            builder.environment().put("MALLOC_ARENA_MAX", "2");
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command, e);
        }
        LIVE.add(process);
    }

    /** SIGKILL: the node gets no chance to flush anything. Waits for the exit. */
    void kill9() {
        if (isAlive()) {
            process.destroyForcibly();
            awaitExit();
        }
    }

    /** SIGSTOP: frozen, sockets open, nothing answers. */
    void pause() {
        signal("-STOP");
    }

    /** SIGCONT. */
    void resume() {
        signal("-CONT");
    }

    /** SIGTERM (after SIGCONT, in case it is paused): a clean stop at the end of a run. */
    void terminate() {
        if (isAlive()) {
            signal("-CONT");
            process.destroy();
            if (!awaitExit()) {
                kill9();
            }
        }
    }

    String describe() {
        return name + " (pid " + (process == null ? "-" : process.pid()) + ", " + address() + ", log " + logFile + ")";
    }

    private boolean awaitExit() {
        try {
            boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            if (exited) {
                LIVE.remove(process);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + describe(), e);
        }
    }

    private void signal(String signal) {
        if (isAlive()) {
            Shell.run(List.of("kill", signal, Long.toString(process.pid())));
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElseGet(() -> Path.of(
                        System.getProperty("java.home"), "bin", "java")
                .toString());
    }
}
