package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keys are everything after {@code /key/}, strictly percent-decoded to 1..1024 bytes of UTF-8;
 * table names are {@code [A-Za-z0-9_-]{1,64}}.
 */
class KeyPathTest extends NodeTestBase {

    /** Percent-encodes every byte of {@code key}'s UTF-8, so any key can be sent. */
    static String encodeAll(String key) {
        StringBuilder out = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            out.append(String.format("%%%02X", b & 0xFF));
        }
        return out.toString();
    }

    private void assertRoundTrip(String rawPath, String expectedKey) {
        Http.Resp put = http.put(rawPath, Http.valueBody("\"v\""));
        put.expect(201);
        assertThat(put.json().get("key").asText()).isEqualTo(expectedKey);
        String version = put.version();
        JsonNode got = http.get(rawPath).expect(200).json();
        assertThat(got.get("key").asText()).isEqualTo(expectedKey);
        assertThat(got.get("version").asText()).isEqualTo(version);
        // The same key, spelled with every byte percent-encoded.
        String prefix = rawPath.substring(0, rawPath.indexOf("/key/") + "/key/".length());
        JsonNode again = http.get(prefix + encodeAll(expectedKey)).expect(200).json();
        assertThat(again.get("version").asText()).isEqualTo(version);
    }

    @ParameterizedTest(name = "{0} is key ''{1}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "/key/hello%20world | hello world",
                "/key/a+b | a+b",
                "/key/a/b/c | a/b/c",
                "/key/x%2Fy | x/y",
                "/key/caf%C3%A9 | caf\u00e9",
                "/key/%E4%B8%96%E7%95%8C | \u4e16\u754c",
                "/key/%F0%9F%98%80 | \uD83D\uDE00",
                "/key/what%3F | what?",
                "/key/hash%23tag | hash#tag",
                "/key/100%25 | 100%",
                "/key/a%26b%3Dc | a&b=c",
                "/key/%22quoted%22 | \"quoted\"",
                "/key/trailing/ | trailing/",
                "/key/%2F | /",
                "/key/mixed%2fcase%2F | mixed/case/",
                "/key/dots... | dots...",
                "/key/%00nul | '\u0000nul'",
                "/key/tab%09 | 'tab\t'"
            })
    void percentEncodedKeys(String rawPath, String key) {
        assertRoundTrip(rawPath, key);
    }

    @Test
    void plusIsNotASpace() {
        String version = put("/key/plus+sign", "1");
        http.get("/key/plus%20sign").expectError(404, "not_found");
        assertStored("/key/plus%2Bsign", "1", version);
    }

    @Test
    void encodedSlashIsTheSameKeyAsALiteralSlash() {
        String version = put("/key/dir/file", "\"f\"");
        assertStored("/key/dir%2Ffile", "\"f\"", version);
        assertStored("/key/dir%2ffile", "\"f\"", version);
    }

    @Test
    void dotSegmentsAreKeptLiterally() {
        RawConnection.RawResponse put = RawConnection.request(node.port(), "PUT", "/key/../x", "{\"value\":1}");
        assertThat(put.status()).as(put.text()).isEqualTo(201);
        assertThat(put.json().get("key").asText()).isEqualTo("../x");
        http.get("/key/x").expectError(404, "not_found");
        assertThat(http.get("/key/..%2Fx").expect(200).json().get("key").asText())
                .isEqualTo("../x");
    }

    @Test
    void keysAreListedDecoded() {
        put("/listed/key/hello%20w%C3%B6rld", "1");
        put("/listed/key/a/b", "2");
        List<String> keys = new ArrayList<>();
        http.get("/listed/keys").expect(200).json().get("keys").forEach(k -> keys.add(k.asText()));
        assertThat(keys).containsExactlyInAnyOrder("hello w\u00f6rld", "a/b");
    }

    @Test
    void keyOf1024BytesIsAccepted() {
        assertRoundTrip("/key/" + "k".repeat(1024), "k".repeat(1024));
        String twoByteChars = "\u00e9".repeat(512);
        assertThat(twoByteChars.getBytes(StandardCharsets.UTF_8)).hasSize(1024);
        assertRoundTrip("/key/" + encodeAll(twoByteChars), twoByteChars);
        assertRoundTrip("/t/key/" + encodeAll("z".repeat(1024)), "z".repeat(1024));
    }

    @Test
    void keyOf1025BytesIsRefused() {
        for (String path : new String[] {
            "/key/" + "k".repeat(1025),
            "/key/" + encodeAll("\u00e9".repeat(512) + "k"),
            "/t/key/" + "k".repeat(1025),
            "/key/" + encodeAll("k".repeat(2000))
        }) {
            for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH"}) {
                byte[] body = method.equals("PUT") ? Http.valueBody("1").getBytes(StandardCharsets.UTF_8) : null;
                if (method.equals("PATCH")) {
                    body = "{}".getBytes(StandardCharsets.UTF_8);
                }
                http.send(method, path, body).expectError(400, "invalid_key");
            }
        }
        assertThat(http.get("/t/keys").expect(200).json().get("keys").toString())
                .doesNotContain("k".repeat(1025));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/key/", "/default/key/", "/t/key/"})
    void emptyKeyIsRefused(String path) {
        http.get(path).expectError(400, "invalid_key");
        http.put(path, Http.valueBody("1")).expectError(400, "invalid_key");
        http.delete(path).expectError(400, "invalid_key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/key/%zz", "/key/a%", "/key/a%4", "/key/%g0", "/key/%%", "/key/%%41", "/t/key/x%2"})
    void invalidPercentEncodingIsRefused(String rawPath) {
        RawConnection.request(node.port(), "GET", rawPath, null).expectError(400, "invalid_key");
        RawConnection.request(node.port(), "PUT", rawPath, Http.valueBody("1")).expectError(400, "invalid_key");
        RawConnection.request(node.port(), "DELETE", rawPath, null).expectError(400, "invalid_key");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/key/%ff", // never valid in UTF-8
                "/key/%C3", // truncated sequence
                "/key/%C3%28", // bad continuation byte
                "/key/%C0%AF", // overlong encoding of '/'
                "/key/%ED%A0%80", // an encoded UTF-16 surrogate
                "/key/ok%FE"
            })
    void percentEncodedInvalidUtf8IsRefused(String rawPath) {
        http.get(rawPath).expectError(400, "invalid_key");
        http.put(rawPath, Http.valueBody("1")).expectError(400, "invalid_key");
        http.delete(rawPath).expectError(400, "invalid_key");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a.b",
                "dots.in.name",
                "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt", // 65
                "t%31",
                "caf%C3%A9",
                "sp%20ace",
                "bang!",
                "semi;colon",
                "~tilde"
            })
    void invalidTableNamesAreRefused(String table) {
        http.get("/" + table + "/key/k").expectError(400, "invalid_table");
        http.put("/" + table + "/key/k", Http.valueBody("1")).expectError(400, "invalid_table");
        http.delete("/" + table + "/key/k").expectError(400, "invalid_table");
        http.get("/" + table + "/keys").expectError(400, "invalid_table");
        http.post("/" + table + "/keys", "{\"keys\":[\"k\"]}").expectError(400, "invalid_table");
    }

    @Test
    void tableNameLengthBoundary() {
        assertThat("t".repeat(65)).hasSize(65);
        http.get("/" + "t".repeat(65) + "/key/k").expectError(400, "invalid_table");
        http.get("/" + "t".repeat(64) + "/key/k").expectError(404, "not_found");
    }

    @Test
    void keyMayLookLikeAQueryOnceDecoded() {
        String path = "/key/" + URLEncoder.encode("q?r=all&w=0", StandardCharsets.UTF_8);
        Http.Resp put = http.put(path, Http.valueBody("1")).expect(201);
        assertThat(put.json().get("key").asText()).isEqualTo("q?r=all&w=0");
    }
}
