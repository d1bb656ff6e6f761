package io.dynakv.common;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.Base64;
import java.util.Optional;

/**
 * What a client holds after a read and hands back with a write to make that write the causal
 * successor of what it read: the version vector and HLC of the version it saw. On the wire it is
 * the opaque {@code version} token (also the {@code ETag}): base64url of
 * {@code [format=1][hlc:8][clock]}.
 */
public record CausalContext(VersionVector clock, long hlc) {

    private static final int FORMAT = 1;

    /** Longest token accepted; bounds decoding work for hostile input. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    public static CausalContext of(Versioned version) {
        return new CausalContext(version.clock(), version.hlc());
    }

    public String toToken() {
        ByteWriter out = new ByteWriter(16 + clock.size() * 10);
        out.writeByte(FORMAT).writeLong(hlc);
        clock.writeTo(out);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /**
     * Parses a token from a client; empty when it is not one this server issued (including null,
     * padded or otherwise non-canonical base64, and timestamps no HLC produces). Never throws.
     */
    public static Optional<CausalContext> parseToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String t = token.strip();
        if (t.startsWith("W/")) {
            t = t.substring(2); // a weak ETag names the same version: clients may send it back so
        }
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1); // ETag values arrive quoted
        }
        if (t.isEmpty() || t.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(t);
            // The decoder also takes padding and nonzero trailing bits: accept one spelling per context.
            if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(t)) {
                return Optional.empty();
            }
            ByteReader in = new ByteReader(bytes);
            if (in.readByte() != FORMAT) {
                return Optional.empty();
            }
            long hlc = in.readLong();
            VersionVector clock = VersionVector.readFrom(in);
            return hlc >= 0 && in.remaining() == 0 ? Optional.of(new CausalContext(clock, hlc)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
