package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw TCP connection to a node, for what an HTTP client library will not send: declared lengths
 * that are never honoured, chunked bodies written piece by piece, {@code Expect: 100-continue},
 * oversized lines and garbage. Reads answers with a Content-Length body (all this API sends).
 */
final class RawConnection implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) {
        try {
            socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one request over a fresh connection and reads the answer. */
    static RawResponse exchange(int port, String request) {
        try (RawConnection c = new RawConnection(port)) {
            return c.write(request).read();
        }
    }

    /** Sends {@code method path} with an optional body and reads the answer. */
    static RawResponse request(int port, String method, String rawPath, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (body == null ? "" : "Content-Length: " + bytes.length + "\r\n") + "\r\n";
        try (RawConnection c = new RawConnection(port)) {
            c.write(head.getBytes(StandardCharsets.UTF_8));
            c.write(bytes);
            return c.read();
        }
    }

    RawConnection write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    RawConnection write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes, ignoring a reset: the server may already have answered and closed. */
    boolean tryWrite(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one response: status line, headers and a Content-Length body. */
    RawResponse read() {
        return read(true);
    }

    /**
     * Reads past interim answers ({@code 100 Continue}) to the final response. The answer to a
     * HEAD has no body, whatever its Content-Length says, so {@code withBody} is false for it.
     */
    RawResponse readFinal(boolean withBody) {
        RawResponse response;
        do {
            response = read(withBody);
        } while (response.status() < 200);
        return response;
    }

    private RawResponse read(boolean withBody) {
        try {
            String head = readHead();
            List<String> lines = head.lines().toList();
            String[] statusLine = lines.get(0).split(" ", 3);
            int status = Integer.parseInt(statusLine[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                int colon = line.indexOf(':');
                headers.put(
                        line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip());
            }
            byte[] body = new byte[0];
            if (withBody && headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            }
            return new RawResponse(status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the server closes the connection within the read timeout (EOF or reset). */
    boolean closedByServer() {
        try {
            byte[] buffer = new byte[8192];
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1).strip();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do
        }
    }

    /** One raw response; header names are lower case. */
    static final class RawResponse {

        private final int status;
        private final Map<String, String> headers;
        private final byte[] body;

        RawResponse(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        Map<String, String> headers() {
            return headers;
        }

        byte[] body() {
            return body.clone();
        }

        JsonNode json() {
            return Http.parse(new String(body, StandardCharsets.UTF_8));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Asserts a JSON error: the status, the {@code error} code, and a non-empty message. */
        RawResponse expectError(int expected, String code) {
            assertThat(status).as("status of a response with body %s", text()).isEqualTo(expected);
            assertThat(headers.get("content-type")).startsWith("application/json");
            JsonNode json = json();
            assertThat(json.path("error").asText())
                    .as("error code in %s", text())
                    .isEqualTo(code);
            assertThat(json.path("message").asText())
                    .as("message in %s", text())
                    .isNotBlank();
            return this;
        }
    }
}
