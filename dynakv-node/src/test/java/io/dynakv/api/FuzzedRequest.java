package io.dynakv.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Builds one HTTP/1.1 request from fuzzer input, shaped like this API's requests so mutations get
 * past routing: a method, a path (table names, keys percent-encoded or not, broken escapes, over
 * long), the query parameters the API reads, the headers it reads, and a body (JSON values, broken
 * JSON, huge numbers, deep nesting, raw bytes), sent with a Content-Length or chunked.
 *
 * <p>Framing is always honest, because the property is about how the API answers, not about a
 * client that announces a body it never sends (which, like any server, it waits for; see
 * {@code BodyLimitsTest} for such clients): header values lose CR and LF, and the body's length is
 * the one declared. Two requests that are not client mistakes are replaced by a harmless GET: a
 * POST that could make the node leave its cluster, and any request to the canary's table.
 */
final class FuzzedRequest {

    private static final List<String> METHODS =
            List.of("GET", "PUT", "DELETE", "PATCH", "POST", "HEAD", "OPTIONS", "TRACE");
    private static final List<String> INFO_PATHS = List.of("/membership", "/health", "/stats", "/metrics");
    private static final List<String> TABLES = List.of("default", "t", "Tab_1-x", "a".repeat(64), "a".repeat(65));
    private static final List<String> QUERY_NAMES = List.of("r", "w", "prefix", "limit", "cursor", "local");
    private static final List<String> QUERY_VALUES = List.of(
            "one", "quorum", "all", "0", "1", "2", "-1", "1000", "1001", "99999999999999999999", "true", "false", "");
    private static final List<String> HEADER_NAMES = List.of(
            "Content-Type", "Accept", KeyHandler.CONTEXT_HEADER, "If-Match", "Expect", "Accept-Encoding", "X-Other");
    private static final List<String> HEADER_VALUES = List.of(
            "application/json",
            "application/octet-stream",
            "application/octet-stream; charset=x",
            "text/plain",
            "*/*",
            "100-continue",
            "gzip",
            "\"AQGi\"",
            "AAAA");
    private static final String CANARY_TABLE =
            NodeTestBase.CANARY_PATH.substring(1, NodeTestBase.CANARY_PATH.indexOf('/', 1));

    final String method;
    final byte[] bytes;

    private FuzzedRequest(String method, byte[] bytes) {
        this.method = method;
        this.bytes = bytes;
    }

    static FuzzedRequest from(FuzzedDataProvider data, int maxBodyBytes) {
        String method = data.consumeBoolean() ? data.pickValue(METHODS) : token(data.consumeAsciiString(12));
        String target = path(data) + query(data);
        StringBuilder head = new StringBuilder();
        int headers = data.consumeInt(0, 4);
        for (int i = 0; i < headers; i++) {
            String value = data.consumeBoolean() ? data.pickValue(HEADER_VALUES) : data.consumeString(64);
            head.append(data.pickValue(HEADER_NAMES))
                    .append(": ")
                    .append(oneLine(value))
                    .append("\r\n");
        }
        byte[] body = FuzzedBody.from(data, maxBodyBytes);
        boolean chunked = body != null && data.consumeBoolean();
        if (target.contains("leave") && method.equalsIgnoreCase("POST") || target.contains(CANARY_TABLE)) {
            method = "GET";
            target = "/health";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(latin1(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"));
        out.writeBytes(latin1(head.toString()));
        if (body == null) {
            out.writeBytes(latin1("\r\n"));
        } else if (chunked) {
            out.writeBytes(latin1("Transfer-Encoding: chunked\r\n\r\n"));
            writeChunked(out, body, data.consumeInt(1, 4096));
        } else {
            out.writeBytes(latin1("Content-Length: " + body.length + "\r\n\r\n"));
            out.writeBytes(body);
        }
        return new FuzzedRequest(method, out.toByteArray());
    }

    private static String path(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 5)) {
            case 0:
                return "/key/" + key(data);
            case 1:
                return "/" + table(data) + "/key/" + key(data);
            case 2:
                return "/" + table(data) + "/keys";
            case 3:
                return data.pickValue(INFO_PATHS);
            case 4:
                return "/membership/" + token(data.consumeAsciiString(20));
            default:
                return "/" + token(data.consumeString(200));
        }
    }

    /** A key: fully percent-encoded, as typed, with broken escapes, or over the length limit. */
    private static String key(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 3)) {
            case 0:
                StringBuilder encoded = new StringBuilder();
                for (byte b : data.consumeBytes(data.consumeInt(0, 300))) {
                    encoded.append(String.format(Locale.ROOT, "%%%02X", b & 0xFF));
                }
                return encoded.toString();
            case 1:
                return token(data.consumeString(100))
                        + (data.consumeBoolean() ? "%" : "%G")
                        + token(data.consumeString(4));
            case 2:
                return token(data.consumeString(8)).repeat(data.consumeInt(1, 3000));
            default:
                return token(data.consumeString(100));
        }
    }

    private static String table(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(TABLES) : token(data.consumeAsciiString(70));
    }

    private static String query(FuzzedDataProvider data) {
        StringBuilder query = new StringBuilder();
        int parameters = data.consumeInt(0, 3);
        for (int i = 0; i < parameters; i++) {
            query.append(i == 0 ? '?' : '&').append(data.pickValue(QUERY_NAMES)).append('=');
            query.append(data.consumeBoolean() ? data.pickValue(QUERY_VALUES) : token(data.consumeString(40)));
        }
        return query.toString();
    }

    /** Text that stays inside a request-target: no spaces or line breaks, one byte per char. */
    private static String token(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            out.append(c <= ' ' || c > 0xFF ? String.format(Locale.ROOT, "%%%02X", c & 0xFF) : String.valueOf(c));
        }
        return out.toString();
    }

    private static String oneLine(String value) {
        return value.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
    }

    private static void writeChunked(ByteArrayOutputStream out, byte[] body, int chunkBytes) {
        for (int pos = 0; pos < body.length; pos += chunkBytes) {
            int n = Math.min(chunkBytes, body.length - pos);
            out.writeBytes(latin1(Integer.toHexString(n) + "\r\n"));
            out.write(body, pos, n);
            out.writeBytes(latin1("\r\n"));
        }
        out.writeBytes(latin1("0\r\n\r\n"));
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
