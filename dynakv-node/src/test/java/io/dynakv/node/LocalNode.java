package io.dynakv.node;

import io.dynakv.common.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process node on 127.0.0.1 for tests outside {@code io.dynakv.api} (whose TestNode is
 * package-private). Both ports are probed free and passed explicitly: the default peer port, HTTP
 * port + 10000, does not exist for the upper part of the ephemeral range (above 55535). The start
 * is retried when another process takes a probed port in between.
 */
public final class LocalNode implements AutoCloseable {

    private static final int START_ATTEMPTS = 5;

    private final Node node;
    private final NodeConfig config;

    private LocalNode(Node node, NodeConfig config) {
        this.node = node;
        this.config = config;
    }

    /** Starts a node on {@code dataDir}; {@code exitRequested} runs when it left after POST /membership/leave. */
    public static LocalNode start(Path dataDir, Runnable exitRequested) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = freePort();
            int peerPort = freePort();
            while (peerPort == port) {
                peerPort = freePort();
            }
            NodeConfig config = config(port, peerPort, dataDir);
            try {
                return new LocalNode(Node.start(config, exitRequested), config);
            } catch (IllegalStateException e) {
                if (!causedByBindFailure(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw new IllegalStateException("no free ports after " + START_ATTEMPTS + " attempts", last);
    }

    private static NodeConfig config(int port, int peerPort, Path dataDir) {
        List<String> args = new ArrayList<>(List.of(
                "127.0.0.1:" + port,
                "--peer-port",
                Integer.toString(peerPort),
                "--data-dir",
                dataDir.toString(),
                "--fsync",
                "always",
                "--event-loops",
                "2",
                "--block-cache-mb",
                "8"));
        NodeCommand command = new NodeCommand();
        new CommandLine(command).parseArgs(args.toArray(new String[0]));
        return command.call();
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** A port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Node node() {
        return node;
    }

    public NodeId id() {
        return node.handle().id();
    }

    public int port() {
        return config.bind().port();
    }

    public int peerPort() {
        return config.peerPort();
    }

    @Override
    public void close() {
        node.stop();
    }
}
