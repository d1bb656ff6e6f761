package io.dynakv.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the multi-process tests find the node jar and put their files. Failsafe passes
 * {@code dynakv.jar} (the shaded jar built by dynakv-node's package phase) and {@code dynakv.logs}.
 */
final class ItEnv {

    /** Every node and client binds here only: the tests never listen on a public interface. */
    static final String LOOPBACK = "127.0.0.1";

    private ItEnv() {}

    /** The node's shaded jar; fails with the build command when it has not been built. */
    static Path jar() {
        String property = System.getProperty("dynakv.jar");
        if (property == null || property.isBlank()) {
            throw new IllegalStateException("system property dynakv.jar is not set: run the ITs through"
                    + " 'mvn verify -pl dynakv-it', which sets it to dynakv-node/target/dynakv.jar");
        }
        Path jar = Path.of(property).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it first with"
                    + " 'mvn -B -q install -DskipTests -pl dynakv-node -am'");
        }
        return jar;
    }

    /** The repository root, found from the jar's place in {@code <root>/dynakv-node/target}. */
    static Path repoRoot() {
        return jar().getParent().getParent().getParent();
    }

    /** Node logs: kept after the run (they are plain files under target/). */
    static Path logsDir() {
        Path dir = Path.of(Optional.ofNullable(System.getProperty("dynakv.logs"))
                        .orElse(Path.of("target", "it-logs").toString()))
                .toAbsolutePath()
                .normalize();
        return createDirectories(dir);
    }

    /** Data directories go next to the logs, so {@code mvn clean} removes what a failure kept. */
    static Path dataRoot() {
        return createDirectories(logsDir().resolveSibling("it-data"));
    }

    /** The java launcher of this JVM, so nodes run on the same JDK as the tests. */
    static String javaCommand() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Files.isExecutable(Path.of(command)))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * A port free on loopback right now. Another process could take it before the node binds;
     * on loopback, in a test run, that race is rare enough, and the node then fails loudly.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
        }
    }

    /** The seed of a test's randomness: {@code -Dseed=} replays a run, otherwise a fresh one. */
    static long seed() {
        String property = System.getProperty("seed");
        if (property != null && !property.isBlank() && !property.startsWith("$")) {
            return Long.parseLong(property.trim());
        }
        return System.nanoTime() ^ ProcessHandle.current().pid() << 32;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
