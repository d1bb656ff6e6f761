package io.dynakv.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynakv.node.HostPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a new node finds the cluster from the address it was given: users name a member's HTTP
 * address (as in the seeds), so the node asks that member's {@code GET /membership} for its
 * node-to-node address and the cluster's partition count, then joins over the peer port.
 */
public final class SeedLookup {

    private static final Logger log = LoggerFactory.getLogger(SeedLookup.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the seed told about itself and its cluster. */
    public record Seed(String gossipAddress, int partitions) {}

    private SeedLookup() {}

    /**
     * Asks {@code member} until it answers or {@code patience} passed (it may still be starting).
     *
     * @throws IllegalStateException with an operator's message when it never answered usefully
     */
    public static Seed ask(HostPort member, Duration patience) throws InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + member + "/membership"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        long deadline = System.nanoTime() + patience.toNanos();
        String last = "no answer";
        while (true) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return parse(response.body(), member);
                }
                last = "HTTP " + response.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot join through " + member + ": " + last
                        + ". Check that a DynaKV node serves at that address (curl http://" + member
                        + "/membership).");
            }
            log.info("waiting for {} to answer ({}); retrying", member, last);
            TimeUnit.SECONDS.sleep(1);
        }
    }

    static Seed parse(String body, HostPort member) {
        try {
            JsonNode root = JSON.readTree(body);
            for (JsonNode node : root.path("nodes")) {
                if (node.path("self").asBoolean(false)
                        && node.hasNonNull("gossip_address")
                        && root.path("partitions").asInt() > 0) {
                    return new Seed(
                            node.get("gossip_address").asText(),
                            root.path("partitions").asInt());
                }
            }
        } catch (IOException e) {
            // fall through to the error below
        }
        throw new IllegalStateException(member + " answered /membership without its node-to-node address;"
                + " is it a DynaKV node of this version?");
    }
}
