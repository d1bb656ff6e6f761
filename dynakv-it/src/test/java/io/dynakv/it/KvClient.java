package io.dynakv.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A small blocking HTTP/JSON client for one node, with short timeouts so a dead or paused node
 * fails a request quickly instead of hanging a test. Make a new one after a node restarts: the
 * pooled connections of the old one point at a dead process.
 */
final class KvClient {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;

    KvClient(int port) {
        this(port, Duration.ofSeconds(5));
    }

    KvClient(int port, Duration requestTimeout) {
        this.base = URI.create("http://" + ItEnv.LOOPBACK + ":" + port);
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** An answer: the status and the body, parsed as JSON when it is JSON. */
    record Response(int status, String body) {

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        /** The {@code version} field of a 200 or 201 answer. */
        String version() {
            return json().path("version").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** {@code PUT /key/{key}} with body {@code {"value": value}}. */
    Response put(String key, JsonNode value) throws IOException, InterruptedException {
        return put(key, value, "");
    }

    /** {@code PUT /key/{key}?query} (e.g. {@code w=2}; empty: none) with body {@code {"value": value}}. */
    Response put(String key, JsonNode value, String query) throws IOException, InterruptedException {
        ObjectNode body = MAPPER.createObjectNode();
        body.set("value", value);
        return send(request(withQuery(keyPath(key), query))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
                .build());
    }

    /**
     * {@code PUT /key/{key}} with body {@code {"value": value}} as the causal successor of {@code
     * context} (a version token a read or write returned), sent in {@code X-DynaKV-Context}.
     */
    Response putAfter(String key, JsonNode value, String context) throws IOException, InterruptedException {
        ObjectNode body = MAPPER.createObjectNode();
        body.set("value", value);
        return send(request(keyPath(key))
                .header("Content-Type", "application/json")
                .header("X-DynaKV-Context", context)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
                .build());
    }

    /** {@code PATCH /key/{key}} with a JSON merge patch (RFC 7396). */
    Response patch(String key, JsonNode patch) throws IOException, InterruptedException {
        return send(request(keyPath(key))
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(patch)))
                .build());
    }

    Response get(String key) throws IOException, InterruptedException {
        return get(key, "");
    }

    /** {@code GET /key/{key}?query}: e.g. {@code r=quorum}, or {@code local=true} for this node's own replica. */
    Response get(String key, String query) throws IOException, InterruptedException {
        return send(request(withQuery(keyPath(key), query)).GET().build());
    }

    Response delete(String key) throws IOException, InterruptedException {
        return delete(key, "");
    }

    Response delete(String key, String query) throws IOException, InterruptedException {
        return send(request(withQuery(keyPath(key), query)).DELETE().build());
    }

    /** {@code DELETE /key/{key}} as the causal successor of {@code context} ({@code X-DynaKV-Context}). */
    Response deleteAfter(String key, String context) throws IOException, InterruptedException {
        return send(request(keyPath(key))
                .header("X-DynaKV-Context", context)
                .DELETE()
                .build());
    }

    Response health() throws IOException, InterruptedException {
        return send(request("/health").GET().build());
    }

    /** {@code GET /membership}: this node's view of the cluster. */
    Response membership() throws IOException, InterruptedException {
        return send(request("/membership").GET().build());
    }

    /** {@code GET /stats}. */
    Response stats() throws IOException, InterruptedException {
        return send(request("/stats").GET().build());
    }

    /** A GET sent now whose answer may come much later (a paused node answers after SIGCONT). */
    CompletableFuture<Response> getAsync(String key, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(keyPath(key)))
                .timeout(timeout)
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(response -> new Response(response.statusCode(), response.body()));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout);
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(response.statusCode(), response.body());
    }

    private static String withQuery(String path, String query) {
        return query == null || query.isEmpty() ? path : path + "?" + query;
    }

    /** {@code /key/} and the key percent-encoded byte by byte (RFC 3986 unreserved kept). */
    static String keyPath(String key) {
        StringBuilder path = new StringBuilder("/key/");
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                path.append((char) c);
            } else {
                path.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return path.toString();
    }
}
