package io.dynakv.api;

import io.dynakv.node.Node;
import io.dynakv.node.NodeCommand;
import io.dynakv.node.NodeConfig;
import io.dynakv.storage.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine;

/**
 * One in-process node on 127.0.0.1 for HTTP tests. Its configuration comes from the real command
 * line ({@link NodeCommand}), so the defaults under test are the shipped ones; tests add flags.
 * HostPort refuses port 0, so a free port is found by binding a ServerSocket to 0 and closing it,
 * and the start is retried if another process takes the port in between.
 */
final class TestNode implements AutoCloseable {

    private static final int START_ATTEMPTS = 5;

    private final Node node;
    private final NodeConfig config;
    private final Http http;

    private TestNode(Node node, NodeConfig config) {
        this.node = node;
        this.config = config;
        this.http = new Http(config.bind().port());
    }

    /** Starts a node on {@code dataDir} with fsync=always, two event loops and {@code extraArgs}. */
    static TestNode start(Path dataDir, List<String> extraArgs) {
        return start(dataDir, extraArgs, UnaryOperator.identity());
    }

    /** As {@link #start(Path, List)}, with the storage engine wrapped by a fault-injecting decorator. */
    static TestNode start(Path dataDir, List<String> extraArgs, UnaryOperator<StorageEngine> decorateStorage) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            NodeConfig config = config(freePort(), dataDir, extraArgs);
            try {
                return new TestNode(Node.startWithStorage(config, decorateStorage), config);
            } catch (IllegalStateException e) {
                if (!causedByBindFailure(e)) {
                    throw e;
                }
                last = e; // the port was taken between probing and binding: try another
            }
        }
        throw new IllegalStateException("no free port after " + START_ATTEMPTS + " attempts", last);
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** The configuration {@code dynakv 127.0.0.1:<port> --data-dir <dir> ...} produces. */
    static NodeConfig config(int port, Path dataDir, List<String> extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "127.0.0.1:" + port,
                "--data-dir",
                dataDir.toString(),
                "--fsync",
                "always",
                "--event-loops",
                "2",
                "--block-cache-mb",
                "8"));
        args.addAll(extraArgs);
        NodeCommand command = new NodeCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args.toArray(new String[0]));
        return command.call();
    }

    static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Node node() {
        return node;
    }

    NodeConfig config() {
        return config;
    }

    int port() {
        return config.bind().port();
    }

    Http http() {
        return http;
    }

    @Override
    public void close() {
        node.stop();
    }
}
