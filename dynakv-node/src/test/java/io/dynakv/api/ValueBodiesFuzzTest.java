package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Fuzzes the pure parts of request handling, without a server, for speed (see fuzz/README.md):
 * request paths, PUT bodies and JSON merge patches. A client's mistake must come out as an
 * {@link ApiException} with a 4xx status; any other exception escapes and is a finding, since the
 * handler would answer it with a 500.
 */
class ValueBodiesFuzzTest {

    private static final int MAX_KEY_BYTES = 1024;
    private static final String PATCH_SHAPE = "a merge patch";

    /**
     * JSON has one number type: a patch's {@code 1e0} may be stored as {@code 1}. Numbers compare by
     * value; everything else as Jackson does.
     */
    private static final Comparator<JsonNode> SAME_JSON =
            (a, b) -> a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    @FuzzTest(maxDuration = "5m")
    void pathRoutesOrIsAClientError(byte[] rawPath) {
        // Netty hands the request line over as ISO-8859-1, one char per byte.
        String path = new String(rawPath, StandardCharsets.ISO_8859_1);
        try {
            Route route = Route.parse(path, MAX_KEY_BYTES);
            if (route.kind() == Route.Kind.KEY) {
                assertThat(route.key()).hasSizeBetween(1, MAX_KEY_BYTES);
                assertThat(route.keyText().getBytes(StandardCharsets.UTF_8)).isEqualTo(route.key());
            }
        } catch (ApiException refused) {
            assertClientError(refused);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void putBodyYieldsAStorableValueOrIsAClientError(byte[] body) {
        ValueBodies.PutBody put;
        try {
            put = ValueBodies.parsePut(body);
        } catch (ApiException refused) {
            assertClientError(refused);
            return;
        }
        // A stored value is read back by GET, PATCH and batch get: it must parse, and stay compact.
        JsonNode stored = ValueBodies.parseStored(put.value());
        assertSameJson(ValueBodies.parseStored(ValueBodies.compact(stored)), stored);
    }

    @FuzzTest(maxDuration = "5m")
    void mergePatchIsIdempotentAndStorable(FuzzedDataProvider data) {
        byte[] target = data.consumeBytes(data.consumeInt(0, 2048));
        byte[] patch = data.consumeRemainingAsBytes();
        JsonNode targetDocument;
        JsonNode patchDocument;
        try {
            targetDocument = ValueBodies.parseDocument(target, PATCH_SHAPE);
            patchDocument = ValueBodies.parseDocument(patch, PATCH_SHAPE);
        } catch (ApiException refused) {
            assertClientError(refused);
            return;
        }
        JsonNode merged = ValueBodies.mergePatch(targetDocument, patchDocument);
        // RFC 7396: applying the same patch again changes nothing.
        assertThat(ValueBodies.mergePatch(merged, patchDocument)).isEqualTo(merged);
        assertSameJson(ValueBodies.parseStored(ValueBodies.compact(merged)), merged);
    }

    private static void assertSameJson(JsonNode actual, JsonNode expected) {
        assertThat(actual.equals(SAME_JSON, expected))
                .as("%s is the same JSON as %s", actual, expected)
                .isTrue();
    }

    private static void assertClientError(ApiException refused) {
        assertThat(refused.status()).as(refused.getMessage()).isBetween(400, 499);
        assertThat(refused.code()).isNotBlank();
        assertThat(refused.getMessage()).isNotBlank();
    }
}
