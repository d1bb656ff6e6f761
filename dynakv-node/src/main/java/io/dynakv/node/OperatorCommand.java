package io.dynakv.node;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dynakv remove NODE_ID} and {@code dynakv leave}: the operator's membership commands, sent
 * to a running node's HTTP API (the same as {@code curl -X DELETE .../membership/NODE_ID} and
 * {@code curl -X POST .../membership/leave}). Exit 0 when the node accepted, 1 when it refused or
 * could not be reached, 2 for a bad command line.
 */
final class OperatorCommand {

    private OperatorCommand() {}

    /** Removes a node that is down for good; the others re-replicate its partitions. */
    @Command(
            name = "dynakv remove",
            mixinStandardHelpOptions = true,
            description = "Removes a node that is down and will not return: it is marked left everywhere and"
                    + " its partitions are copied to the remaining nodes. A node that is up is refused."
                    + " NODE_ID is the node_id shown by GET /membership.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE_ID", description = "the node to remove (16 hex digits)")
        String nodeId;

        @Option(
                names = "--at",
                paramLabel = "HOST:PORT",
                defaultValue = "${env:DYNAKV_BIND:-127.0.0.1:6660}",
                description = "any running member to send the command to (default ${DEFAULT-VALUE})")
        String at;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return send(spec, at, "DELETE", "/membership/" + nodeId);
        }
    }

    /** Makes a node leave gracefully, then stop. */
    @Command(
            name = "dynakv leave",
            mixinStandardHelpOptions = true,
            description = "Makes the node at --at leave the cluster for good: the others take over its"
                    + " partitions, then the node's process stops (exit 0).")
    static final class Leave implements Callable<Integer> {
        @Option(
                names = "--at",
                paramLabel = "HOST:PORT",
                defaultValue = "${env:DYNAKV_BIND:-127.0.0.1:6660}",
                description = "the node that leaves (default ${DEFAULT-VALUE})")
        String at;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return send(spec, at, "POST", "/membership/leave");
        }
    }

    private static int send(CommandSpec spec, String at, String method, String path) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HostPort node;
        try {
            node = HostPort.parse(at);
        } catch (IllegalArgumentException e) {
            err.println("dynakv: --at: " + e.getMessage());
            return 2;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            (response.statusCode() / 100 == 2 ? out : err).println(response.body());
            return response.statusCode() / 100 == 2 ? 0 : 1;
        } catch (IOException e) {
            err.println("dynakv: cannot reach " + node + ": " + e.getMessage() + ". Is a node running there?");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
