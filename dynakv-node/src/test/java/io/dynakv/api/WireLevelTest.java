package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.api.RawConnection.RawResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only a raw socket can send: over-long request lines and headers, garbage, and clients that
 * vanish mid-body. The node answers JSON where it can, closes what it cannot trust, and keeps
 * serving.
 */
class WireLevelTest extends NodeTestBase {

    @Test
    void oversizedRequestLineIs414() {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("GET /key/" + "a".repeat(10 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            RawResponse r = c.read().expectError(414, "uri_too_long");
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(c.closedByServer()).isTrue();
        }
        http.get("/health").expect(200);
    }

    @Test
    void longestKeyFullyEncodedFitsTheRequestLine() {
        String path = "/" + "t".repeat(64) + "/key/" + KeyPathTest.encodeAll("\u00e9".repeat(512)) + "?w=quorum";
        http.put(path, Http.valueBody("1")).expect(201);
    }

    @Test
    void oversizedHeadersAre431() {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20 * 1024) + "\r\n\r\n");
            RawResponse r = c.read().expectError(431, "headers_too_large");
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawConnection c = new RawConnection(node.port())) {
            StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 2000; i++) {
                many.append("X-H").append(i).append(": v\r\n");
            }
            c.write(many.append("\r\n").toString());
            c.read().expectError(431, "headers_too_large");
        }
        http.get("/health").expect(200);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\u0000\u0001\u0002garbage\r\n\r\n",
                "GARBAGE\r\n\r\n",
                "GET\r\n\r\n",
                "G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /health HTTP/1.1\r\nbad header line\r\n\r\n",
                "GET /health HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                "PUT /key/x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                "PUT /key/x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                "\u00ff\u00fe\u00fd\u00fc / HTTP/1.1\r\n\r\n"
            })
    void malformedRequestIs400AndTheNodeKeepsServing(String request) {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write(request.getBytes(StandardCharsets.ISO_8859_1));
            RawResponse r = c.read().expectError(400, "bad_request");
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(c.closedByServer()).isTrue();
        }
        http.get("/health").expect(200);
        http.get("/key/x").expectError(404, "not_found");
    }

    @Test
    void randomBytesDoNotHurtTheNode() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + random.nextInt(4096)];
            random.nextBytes(junk);
            try (RawConnection c = new RawConnection(node.port())) {
                c.tryWrite(junk);
                c.tryWrite("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        http.get("/health").expect(200);
    }

    @Test
    void clientThatDisconnectsMidBodyStoresNothing() throws InterruptedException {
        for (String method : new String[] {"PUT", "PATCH"}) {
            try (RawConnection c = new RawConnection(node.port())) {
                c.write(method + " /key/half-sent HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
                c.write("{\"value\":");
            }
        }
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /key/half-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.write("5\r\n{\"val\r\n");
        }
        Thread.sleep(200); // give a wrongly completed write time to land
        http.get("/key/half-sent").expectError(404, "not_found");
        http.get("/key/half-chunked").expectError(404, "not_found");
        assertThat(http.get("/default/keys").expect(200).json().get("keys").toString())
                .doesNotContain("half-");
        http.put("/key/half-sent", Http.valueBody("\"whole\"")).expect(201);
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() {
        try (RawConnection c = new RawConnection(node.port())) {
            for (int i = 0; i < 5; i++) {
                String body = Http.valueBody(String.valueOf(i));
                c.write("PUT /key/keepalive HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
                        + body);
                assertThat(c.read().status()).isEqualTo(201);
            }
            // Pipelined: answers come back in order.
            c.write("GET /key/keepalive HTTP/1.1\r\nHost: x\r\n\r\nGET /key/none HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            RawResponse first = c.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.json().get("value").asInt()).isEqualTo(4);
            c.read().expectError(404, "not_found");
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    @Test
    void errorsKeepTheConnectionUsable() {
        try (RawConnection c = new RawConnection(node.port())) {
            String bad = "{\"value\":";
            c.write("PUT /key/conn-reuse HTTP/1.1\r\nHost: x\r\nContent-Length: " + bad.length() + "\r\n\r\n" + bad);
            c.read().expectError(400, "invalid_json");
            c.write("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
            c.read().expectError(404, "not_found");
            c.write("POST /key/k HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            c.read().expectError(405, "method_not_allowed");
            c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    /** A request refused before its body is read: the unread body must not become the next request. */
    @Test
    void unreadBodyOfARefusedRequestIsNotTakenForTheNextRequest() {
        String smuggled = "GET /key/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        for (String head :
                new String[] {"POST /key/k", "PUT /key/refused?w=abc", "PUT /nope", "PUT /bad.table/key/k"}) {
            try (RawConnection c = new RawConnection(node.port())) {
                c.write(head + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled);
                assertThat(c.read().status()).isBetween(400, 499);
                c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                RawResponse next = c.read();
                assertThat(next.status()).as(head + " then: " + next.text()).isEqualTo(200);
                assertThat(next.json().get("status").asText()).isEqualTo("serving");
            }
        }
        http.get("/key/refused").expectError(404, "not_found");
    }

    @Test
    void http10Works() {
        String body = Http.valueBody("\"ten\"");
        RawResponse put = RawConnection.exchange(
                node.port(), "PUT /key/http10 HTTP/1.0\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertThat(put.status()).isEqualTo(201);
        RawResponse get = RawConnection.exchange(node.port(), "GET /key/http10 HTTP/1.0\r\n\r\n");
        assertThat(get.json().get("value").asText()).isEqualTo("ten");
    }

    @Test
    void http2CleartextUpgradeWorks() throws Exception {
        HttpClient h2 =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        String base = "http://127.0.0.1:" + node.port();
        HttpResponse<String> health = h2.send(
                HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> put = h2.send(
                HttpRequest.newBuilder(URI.create(base + "/key/h2"))
                        .PUT(HttpRequest.BodyPublishers.ofString(Http.valueBody("2")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        HttpResponse<String> get = h2.send(
                HttpRequest.newBuilder(URI.create(base + "/key/h2")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Http.parse(get.body()).get("value").asInt()).isEqualTo(2);
        assertThat(get.headers().firstValue("etag")).isPresent();
        HttpResponse<String> bad = h2.send(
                HttpRequest.newBuilder(URI.create(base + "/key/h2"))
                        .PUT(HttpRequest.BodyPublishers.ofString("{"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Http.parse(bad.body()).get("error").asText()).isEqualTo("invalid_json");
    }
}
