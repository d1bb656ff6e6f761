package io.dynakv.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * What a request path names. {@code /key/{key}} is a key of table {@code default};
 * {@code /{table}/key/{key}} a key of a named table; {@code /{table}/keys} a table's key listing.
 * The key is everything after {@code /key/}, percent-decoded, so it may contain {@code /}.
 *
 * @param kind what the path addresses
 * @param table the table, for KEY and KEYS
 * @param key the key's UTF-8 bytes, for KEY
 * @param keyText the key as text, for KEY
 */
record Route(Kind kind, String table, byte[] key, String keyText) {

    /** What a path addresses. */
    enum Kind {
        KEY,
        KEYS,
        MEMBERSHIP,
        /** {@code /membership/{node_id}} (DELETE: remove) and {@code /membership/leave} (POST). */
        MEMBER,
        HEALTH,
        STATS,
        METRICS
    }

    static final String DEFAULT_TABLE = "default";

    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final String MEMBER_PREFIX = "/membership/";

    /** A node id (16 hex digits) or "leave". */
    private static final Pattern MEMBER = Pattern.compile("[0-9a-fA-F]{16}|leave");

    /** Parses a raw (still percent-encoded) path; unknown paths are 404, bad names 400. */
    static Route parse(String rawPath, int maxKeyBytes) {
        switch (rawPath) {
            case "/membership":
                return new Route(Kind.MEMBERSHIP, null, null, null);
            case "/health":
                return new Route(Kind.HEALTH, null, null, null);
            case "/stats":
                return new Route(Kind.STATS, null, null, null);
            case "/metrics":
                return new Route(Kind.METRICS, null, null, null);
            default:
                break;
        }
        if (rawPath.startsWith(MEMBER_PREFIX)
                && MEMBER.matcher(rawPath.substring(MEMBER_PREFIX.length())).matches()) {
            // A table may be called "membership": its keys are under /membership/key/ and its
            // listing is /membership/keys, neither of which this pattern takes.
            return new Route(Kind.MEMBER, null, null, rawPath.substring(MEMBER_PREFIX.length()));
        }
        if (rawPath.startsWith("/key/")) {
            return key(DEFAULT_TABLE, rawPath.substring(5), maxKeyBytes);
        }
        int slash = rawPath.indexOf('/', 1);
        if (rawPath.length() > 1 && slash > 1) {
            String table = rawPath.substring(1, slash);
            String rest = rawPath.substring(slash);
            if (rest.startsWith("/key/")) {
                return key(table(table), rest.substring(5), maxKeyBytes);
            }
            if (rest.equals("/keys")) {
                return new Route(Kind.KEYS, table(table), null, null);
            }
        }
        throw new ApiException(
                404,
                "not_found",
                "no such endpoint: " + rawPath + ". Keys live at /key/{key} or /{table}/key/{key};"
                        + " see also /{table}/keys, /membership, /health, /stats, /metrics");
    }

    private static Route key(String table, String encodedKey, int maxKeyBytes) {
        byte[] bytes = percentDecode(encodedKey);
        if (bytes.length == 0 || bytes.length > maxKeyBytes) {
            throw ApiException.badRequest(
                    "invalid_key",
                    "a key must be 1 to " + maxKeyBytes + " bytes of UTF-8; this one is " + bytes.length);
        }
        return new Route(Kind.KEY, table, bytes, utf8(bytes, "key"));
    }

    static String table(String raw) {
        if (!TABLE.matcher(raw).matches()) {
            throw ApiException.badRequest(
                    "invalid_table", "a table name is 1 to 64 characters of A-Z, a-z, 0-9, _ and -; got '" + raw + "'");
        }
        return raw;
    }

    /** Validates a key that arrived in a JSON body rather than a path. */
    static byte[] keyBytes(String key, int maxKeyBytes) {
        byte[] bytes;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(key));
            bytes = Arrays.copyOf(encoded.array(), encoded.limit());
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("invalid_key", "a key must be valid Unicode; this one has a lone surrogate");
        }
        if (bytes.length == 0 || bytes.length > maxKeyBytes) {
            throw ApiException.badRequest(
                    "invalid_key", "a key must be 1 to " + maxKeyBytes + " bytes of UTF-8; one is " + bytes.length);
        }
        return bytes;
    }

    /**
     * Strict percent-decoding: a {@code +} stays a plus (it is not a space in a path). Netty hands
     * over the request line as ISO-8859-1, one char per byte, so a raw (unencoded) UTF-8 byte is
     * taken back as that byte, not encoded again.
     */
    static byte[] percentDecode(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                    throw ApiException.badRequest(
                            "invalid_key", "bad percent-encoding in the path: '%' must be followed by two hex digits");
                }
                out[n++] = (byte) (hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
            } else if (c <= 0xFF) {
                out[n++] = (byte) c;
            } else {
                throw ApiException.badRequest(
                        "invalid_key", "the path has a character outside ISO-8859-1; percent-encode it");
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("invalid_key", "the " + what + " is not valid UTF-8 once percent-decoded");
        }
    }
}
