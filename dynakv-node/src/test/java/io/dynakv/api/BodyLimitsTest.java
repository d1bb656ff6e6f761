package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.api.RawConnection.RawResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed bodies are 400; bodies over the limit are 413, refused without reading them. This node
 * takes values up to 64 KiB, so bodies up to 64 KiB + 64 KiB of JSON around them.
 */
class BodyLimitsTest extends NodeTestBase {

    static final int MAX_VALUE = 64 * 1024;
    static final int MAX_BODY = MAX_VALUE + 64 * 1024;

    @Override
    List<String> nodeArgs() {
        return List.of("--max-value-bytes", String.valueOf(MAX_VALUE));
    }

    static List<String> malformedPutBodies() {
        return List.of(
                "",
                " ",
                "\n\t",
                "{",
                "{\"value\":1",
                "{\"value\":",
                "{\"value\":\"unterminated}",
                "{\"value\":[1,2}",
                "{\"value\":1}x",
                "{\"value\":1}}",
                "{\"value\":1} {\"value\":2}",
                "{\"value\":1}{}",
                "{\"value\":1,\"value\":2}",
                "{\"value\":1,\"context\":\"a\",\"context\":\"a\"}",
                "[1]",
                "\"just a string\"",
                "1",
                "null",
                "true",
                "{}",
                "{\"other\":1}",
                "{\"value\":1,\"extra\":2}",
                "{\"Value\":1}",
                "{\"value\":1,}",
                "{'value':1}",
                "{value:1}",
                "{\"value\":NaN}",
                "{\"value\":Infinity}",
                "{\"value\":01}",
                "{\"value\":1.}",
                "{\"value\":\"\\x41\"}",
                "{\"value\":\"\\u00\"}",
                "{\"value\":1 /* comment */}",
                "{\"value\":\"tab\tinside\"}",
                "{\"value\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}",
                "{\"value\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_001),
                "[".repeat(10_000) + "]".repeat(10_000),
                "{\"value\":" + "[".repeat(256) + "]".repeat(256) + "}",
                "{\"value\":1" + "0".repeat(2000) + "}");
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("malformedPutBodies")
    void malformedJsonIsRefused(String body) {
        String version = put("/key/victim", "{\"safe\":true}");
        http.put("/key/victim", body).expectError(400, "invalid_json");
        http.put("/key/victim", body, "Content-Type", "application/json").expectError(400, "invalid_json");
        assertStored("/key/victim", "{\"safe\":true}", version);
        http.put("/key/malformed-new", body).expectError(400, "invalid_json");
        http.get("/key/malformed-new").expectError(404, "not_found");
    }

    @Test
    void invalidUtf8InAJsonBodyIsRefused() {
        byte[] body = {'{', '"', 'v', 'a', 'l', 'u', 'e', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
        http.putBytes("/key/bad-utf8", body).expectError(400, "invalid_json");
        http.get("/key/bad-utf8").expectError(404, "not_found");
    }

    @Test
    void valueAtTheLimitIsAccepted() {
        String json = "\"" + "v".repeat(MAX_VALUE - 2) + "\"";
        String version = put("/key/at-limit", json);
        assertStored("/key/at-limit", json, version);

        byte[] raw = new byte[MAX_VALUE];
        raw[0] = (byte) 0xFF;
        String rawVersion = http.putBytes("/key/raw-at-limit", raw, "Content-Type", "application/octet-stream")
                .expect(201)
                .version();
        assertThat(http.get("/key/raw-at-limit", "Accept", "application/octet-stream")
                        .expect(200)
                        .expectEtag(rawVersion)
                        .body())
                .isEqualTo(raw);
    }

    @Test
    void valueOverTheLimitWithABodyUnderItIs413() {
        String version = put("/key/big-value", "\"small\"");
        String json = "\"" + "v".repeat(MAX_VALUE - 1) + "\""; // one byte over
        assertThat(Http.valueBody(json).length()).isLessThan(MAX_BODY);
        http.put("/key/big-value", Http.valueBody(json)).expectError(413, "payload_too_large");
        http.putBytes("/key/big-value", new byte[MAX_VALUE + 1], "Content-Type", "application/octet-stream")
                .expectError(413, "payload_too_large");
        assertStored("/key/big-value", "\"small\"", version);
    }

    @Test
    void valueMeasuredCompactSoWhitespaceDoesNotCount() {
        // 70 000 spaces around a small value: the body is under the body limit, the value tiny.
        String body = "{\"value\":" + " ".repeat(70_000) + "[1, 2]}";
        String version = http.put("/key/spacey", body).expect(201).version();
        assertStored("/key/spacey", "[1,2]", version);
    }

    @Test
    void patchWhoseResultIsOverTheLimitIs413() {
        String half = "x".repeat(40_000);
        String v1 = put("/key/patch-big", "{\"a\":\"" + half + "\"}");
        http.patch("/key/patch-big", "{\"b\":\"" + half + "\"}").expectError(413, "payload_too_large");
        assertStored("/key/patch-big", "{\"a\":\"" + half + "\"}", v1);
    }

    /** Headers only: the 413 must come although the body never does. */
    @Test
    void declaredContentLengthOverTheLimitIsRefusedWithoutReadingTheBody() {
        for (String method : new String[] {"PUT", "PATCH", "POST"}) {
            String path = method.equals("POST") ? "/big/keys" : "/big/key/declared";
            try (RawConnection c = new RawConnection(node.port())) {
                c.write(method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 10000000000\r\n\r\n");
                RawResponse r = c.read();
                r.expectError(413, "payload_too_large");
            }
        }
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /big/key/declared HTTP/1.1\r\nHost: x\r\n" + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n");
            c.read().expectError(413, "payload_too_large");
        }
        http.get("/big/key/declared").expectError(404, "not_found");
    }

    @Test
    void declaredContentLengthAtTheLimitIsRead() {
        // A body of exactly the limit is read in full, and then judged on its value.
        String body = "{\"value\":\"" + "v".repeat(MAX_BODY - 12) + "\"}";
        assertThat(body.length()).isEqualTo(MAX_BODY);
        Http.Resp r = http.put("/key/exactly", body).expectError(413, "payload_too_large");
        assertThat(r.json().get("message").asText()).contains("the value is");
    }

    private static byte[] chunk(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return (Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void chunkedBodyUnderTheLimitIsStored() {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /key/chunked-ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.write(chunk("{\"value\":"));
            c.write(chunk("{\"chunked\":"));
            c.write(chunk("true}}"));
            c.write("0\r\n\r\n");
            RawResponse r = c.read();
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertStored(
                    "/key/chunked-ok",
                    "{\"chunked\":true}",
                    r.json().get("version").asText());
        }
    }

    @Test
    void chunkedBodyOverTheLimitIs413AndTheConnectionIsClosed() {
        String version = put("/key/chunked-big", "\"before\"");
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /key/chunked-big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.write(chunk("{\"value\":\""));
            String piece = "v".repeat(16 * 1024);
            int sent = 0;
            // Send past the limit, then stop: the server must answer without waiting for the end.
            while (sent <= MAX_BODY + piece.length() && c.tryWrite(chunk(piece))) {
                sent += piece.length();
            }
            RawResponse r = c.read();
            r.expectError(413, "payload_too_large");
            assertThat(c.closedByServer()).as("connection closed after the 413").isTrue();
        }
        assertStored("/key/chunked-big", "\"before\"", version);
    }

    @Test
    void expectContinueWithAnOversizedLengthGets413Not100() {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /key/expect-big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n" + "Content-Length: "
                    + (MAX_BODY + 1) + "\r\n\r\n");
            RawResponse r = c.read();
            r.expectError(413, "payload_too_large");
        }
        http.get("/key/expect-big").expectError(404, "not_found");
    }

    @Test
    void expectContinueWithAFineLengthGets100Then201() {
        String body = Http.valueBody("{\"expected\":\"continue\"}");
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /key/expect-ok HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n" + "Content-Length: "
                    + body.length() + "\r\n\r\n");
            RawResponse interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            c.write(body);
            RawResponse r = c.read();
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertStored(
                    "/key/expect-ok",
                    "{\"expected\":\"continue\"}",
                    r.json().get("version").asText());
        }
    }

    @Test
    void expectContinueWithABadConsistencyGets400Not100() {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("PUT /key/expect-w?w=abc HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 11\r\n\r\n");
            c.read().expectError(400, "invalid_consistency");
        }
    }
}
