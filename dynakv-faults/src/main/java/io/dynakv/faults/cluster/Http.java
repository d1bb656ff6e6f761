package io.dynakv.faults.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The one HTTP client of the harness (workload, checks and cluster control): HTTP/1.1 with short
 * timeouts, so a dead, paused or cut-off node fails a request quickly instead of stalling a client.
 */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    /** An answer: status, the body, and the replica header of a local read (null when absent). */
    public record Response(int status, String body, String replica) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.missingNode();
            }
        }
    }

    /** {@code /key/<encoded key>}. */
    public static String keyPath(String key) {
        return "/key/" + URLEncoder.encode(key, StandardCharsets.UTF_8);
    }

    public Response get(String address, String path) throws IOException, InterruptedException {
        return send(request(address, path).GET().build());
    }

    public Response delete(String address, String path) throws IOException, InterruptedException {
        return send(request(address, path).DELETE().build());
    }

    /** {@code PUT} of {@code {"value": value}}, with the causal context when not null. */
    public Response put(String address, String path, String value, String context)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = request(address, path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode().put("value", value).toString()));
        if (context != null) {
            request.header("X-DynaKV-Context", context);
        }
        return send(request.build());
    }

    private static HttpRequest.Builder request(String address, String path) {
        return HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(REQUEST_TIMEOUT);
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(
                response.statusCode(),
                response.body(),
                response.headers().firstValue("X-DynaKV-Replica").orElse(null));
    }
}
