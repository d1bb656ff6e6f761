package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A small HTTP/1.1 client for one node: every call returns the status, headers and body, and
 * never throws for an error status. Headers are given as name, value pairs.
 */
final class Http {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private static final ObjectMapper EXACT =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient client;
    private final String base;

    Http(int port) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
        this.base = "http://127.0.0.1:" + port;
    }

    Resp get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    Resp put(String path, String body, String... headers) {
        return send("PUT", path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    Resp putBytes(String path, byte[] body, String... headers) {
        return send("PUT", path, body, headers);
    }

    Resp patch(String path, String body, String... headers) {
        return send("PATCH", path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    Resp post(String path, String body, String... headers) {
        return send("POST", path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    Resp delete(String path, String... headers) {
        return send("DELETE", path, null, headers);
    }

    /** {@code path} is sent as written: percent-encode it yourself. */
    Resp send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Resp(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code {"value": <json>}}. */
    static String valueBody(String json) {
        return "{\"value\":" + json + "}";
    }

    /** Parses with decimals as BigDecimal, to compare numbers exactly. */
    static JsonNode parseExact(String json) {
        try {
            return EXACT.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response. */
    static final class Resp {

        private final int status;
        private final java.net.http.HttpHeaders headers;
        private final byte[] body;

        Resp(int status, java.net.http.HttpHeaders headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        byte[] body() {
            return body.clone();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + text(), e);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        /** The version a write or read returned. */
        String version() {
            return json().get("version").asText();
        }

        /** Asserts the status, with the body in the failure message. */
        Resp expect(int expected) {
            assertThat(status).as("status of a response with body %s", text()).isEqualTo(expected);
            return this;
        }

        /** Asserts a JSON error: the status, the {@code error} code, and a non-empty message. */
        Resp expectError(int expected, String code) {
            expect(expected);
            assertThat(header("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode json = json();
            assertThat(json.path("error").asText())
                    .as("error code in %s", text())
                    .isEqualTo(code);
            assertThat(json.path("message").isTextual())
                    .as("message in %s", text())
                    .isTrue();
            assertThat(json.path("message").asText())
                    .as("message in %s", text())
                    .isNotBlank();
            return this;
        }

        /** Asserts that the ETag is the quoted version. */
        Resp expectEtag(String version) {
            assertThat(header("etag")).as("ETag").hasValue('"' + version + '"');
            return this;
        }
    }
}
