package io.dynakv.common;

import static io.dynakv.common.Vectors.Event;
import static io.dynakv.common.Vectors.fromHistory;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.codec.ByteWriter;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The opaque version token clients hand back: round trips, and hostile tokens never throw. */
class CausalContextTest {

    @Provide
    Arbitrary<Set<Event>> histories() {
        return Vectors.histories();
    }

    @Provide
    Arbitrary<String> anyStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings()
                        .withChars("ABCDEFabcdef0123456789-_=\"/+ ")
                        .ofMaxLength(60),
                Arbitraries.strings().all().ofMaxLength(40));
    }

    @Property
    void tokenRoundTrips(@ForAll("histories") Set<Event> h, @ForAll @LongRange(min = 0) long hlc) {
        CausalContext context = new CausalContext(fromHistory(h), hlc);
        String token = context.toToken();
        assertThat(token).matches("[A-Za-z0-9_-]+");
        assertThat(CausalContext.parseToken(token)).contains(context);
        assertThat(CausalContext.parseToken("\"" + token + "\""))
                .as("quoted ETag")
                .contains(context);
        assertThat(CausalContext.parseToken("  \"" + token + "\"\t")).contains(context);
    }

    @Property
    void tokenOfAVersionCarriesItsClockAndHlc(
            @ForAll("histories") Set<Event> h, @ForAll @LongRange(min = 0) long hlc, @ForAll long writer) {
        Versioned v = Versioned.tombstone(fromHistory(h), hlc, new NodeId(writer));
        CausalContext context = CausalContext.of(v);
        assertThat(context.clock()).isEqualTo(v.clock());
        assertThat(context.hlc()).isEqualTo(hlc);
        assertThat(CausalContext.parseToken(context.toToken())).contains(context);
    }

    /** Any string at all: parsed or empty, never an exception; what parses re-encodes to itself. */
    @Property(tries = 3000)
    void arbitraryStringsNeverThrow(@ForAll("anyStrings") String s) {
        Optional<CausalContext> parsed = CausalContext.parseToken(s);
        parsed.ifPresent(c -> assertThat(unquote(s)).isEqualTo(c.toToken()));
    }

    /** Base64url of arbitrary bytes gets past the first check, so it reaches the decoder proper. */
    @Property(tries = 3000)
    void base64OfArbitraryBytesNeverThrows(@ForAll @Size(max = 120) byte[] bytes, @ForAll boolean formatByte) {
        if (formatByte && bytes.length > 0) {
            bytes[0] = 1; // past the format check more often
        }
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Optional<CausalContext> parsed = CausalContext.parseToken(token);
        parsed.ifPresent(c -> assertThat(c.toToken()).isEqualTo(token));
    }

    @Property
    void everyTruncatedTokenIsRejected(
            @ForAll("histories") Set<Event> h,
            @ForAll @LongRange(min = 0) long hlc,
            @ForAll @IntRange(min = 1) int cut) {
        byte[] bytes = Base64.getUrlDecoder().decode(new CausalContext(fromHistory(h), hlc).toToken());
        int keep = cut % bytes.length;
        byte[] truncated = java.util.Arrays.copyOf(bytes, keep);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(truncated);
        assertThat(CausalContext.parseToken(token)).isEmpty();
    }

    @Example
    void malformedTokensAreEmpty() {
        String valid = new CausalContext(VersionVector.of(Map.of(new NodeId(7), 3L)), 42).toToken();
        assertThat(CausalContext.parseToken(valid)).isPresent();
        // A proxy may weaken an ETag (nginx does when it compresses); the token inside is intact.
        assertThat(CausalContext.parseToken("W/\"" + valid + "\"")).isEqualTo(CausalContext.parseToken(valid));
        String[] bad = {
            "W/",
            "",
            " ",
            "\"\"",
            "\"",
            "\"" + valid, // unbalanced quote
            valid + "=", // padding is not how tokens are written
            valid + "A", // one more character
            valid.substring(0, valid.length() - 1),
            valid.replace('A', '+'),
            "!!!!",
            "A",
            "AQ", // format byte only
            "AA", // unknown format 0
            token(b -> b.writeByte(2).writeLong(1).writeVarLong(0).writeVarLong(0)), // unknown format 2
            token(b -> b.writeByte(1).writeLong(-1).writeVarLong(0).writeVarLong(0)), // negative HLC
            token(b ->
                    b.writeByte(1).writeLong(1).writeVarLong(0).writeVarLong(0).writeByte(0)), // trailing
            token(b -> b.writeByte(1).writeLong(1).writeVarLong(1025)), // oversized vector
            token(b -> b.writeByte(1).writeLong(1).writeVarLong(1).writeLong(1).writeVarLong(0)), // zero counter
            "A".repeat(CausalContext.MAX_TOKEN_CHARS + 4), // overlong
        };
        for (String t : bad) {
            assertThat(CausalContext.parseToken(t)).as("token <%s>", t).isEmpty();
        }
        assertThat(CausalContext.parseToken(null)).isEmpty();
    }

    @Example
    void nonCanonicalBase64IsRejected() {
        // "AR..." and "AQ..." decode to the same bytes when the last character's spare bits differ.
        String valid = new CausalContext(VersionVector.EMPTY, 0).toToken();
        char last = valid.charAt(valid.length() - 1);
        String sameBytes = valid.substring(0, valid.length() - 1) + (char) (last + 1);
        assertThat(Base64.getUrlDecoder().decode(sameBytes))
                .isEqualTo(Base64.getUrlDecoder().decode(valid));
        assertThat(CausalContext.parseToken(sameBytes)).isEmpty();
    }

    /**
     * A vector with the most entries a token may hold, at realistic counters (below 128), fits the
     * token length limit. (At huge counters it does not: MAX_TOKEN_CHARS is below the worst case.)
     */
    @Example
    void fullSizeVectorWithRealisticCountersFitsTheTokenLimit() {
        Map<NodeId, Long> entries = new java.util.HashMap<>();
        for (int i = 0; i < VersionVector.MAX_ENTRIES; i++) {
            entries.put(new NodeId(i * 0x9E3779B97F4A7C15L), 127L);
        }
        CausalContext big = new CausalContext(VersionVector.of(entries), Long.MAX_VALUE);
        String token = big.toToken();
        assertThat(token.length()).isLessThanOrEqualTo(CausalContext.MAX_TOKEN_CHARS);
        assertThat(CausalContext.parseToken(token)).contains(big);
    }

    private static String token(java.util.function.Consumer<ByteWriter> body) {
        ByteWriter w = new ByteWriter(16);
        body.accept(w);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(w.toByteArray());
    }

    private static String unquote(String s) {
        String t = s.strip();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }
}
