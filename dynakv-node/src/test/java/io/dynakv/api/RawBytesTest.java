package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code Content-Type: application/octet-stream} stores the body as-is; {@code Accept:
 * application/octet-stream} returns it raw with the version in the ETag; a JSON read returns
 * base64 with {@code "encoding":"base64"}.
 */
class RawBytesTest extends NodeTestBase {

    private static final String OCTET = "application/octet-stream";

    static byte[] everyByte() {
        byte[] bytes = new byte[512];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        bytes[0] = 0x00;
        bytes[bytes.length - 1] = (byte) 0xFF;
        return bytes;
    }

    private void assertRawStored(String path, byte[] bytes, String version) {
        Http.Resp raw = http.get(path, "Accept", OCTET).expect(200).expectEtag(version);
        assertThat(raw.header("content-type")).hasValue(OCTET);
        assertThat(raw.body()).isEqualTo(bytes);

        JsonNode json = http.get(path).expect(200).expectEtag(version).json();
        assertThat(json.get("value").asText()).isEqualTo(Base64.getEncoder().encodeToString(bytes));
        assertThat(json.get("encoding").asText()).isEqualTo("base64");
        assertThat(json.get("version").asText()).isEqualTo(version);
    }

    @Test
    void binaryRoundTrip() {
        byte[] bytes = everyByte();
        Http.Resp put = http.putBytes("/key/bin", bytes, "Content-Type", OCTET).expect(201);
        String version = put.version();
        put.expectEtag(version);
        assertThat(put.json().get("key").asText()).isEqualTo("bin");
        assertRawStored("/key/bin", bytes, version);
    }

    @Test
    void contentTypeParametersAndCaseAreAccepted() {
        byte[] bytes = {0, (byte) 0xFF, 0, 1};
        String v1 = http.putBytes("/key/param", bytes, "Content-Type", "application/octet-stream; charset=binary")
                .expect(201)
                .version();
        assertRawStored("/key/param", bytes, v1);
        String v2 = http.putBytes("/key/upper", bytes, "Content-Type", "Application/Octet-Stream")
                .expect(201)
                .version();
        assertRawStored("/key/upper", bytes, v2);
    }

    @Test
    void jsonLookingBytesStayBytes() {
        byte[] bytes = "{\"value\":1}".getBytes(StandardCharsets.UTF_8);
        String version = http.putBytes("/key/looks-json", bytes, "Content-Type", OCTET)
                .expect(201)
                .version();
        assertRawStored("/key/looks-json", bytes, version);
    }

    @Test
    void invalidUtf8AndRandomBytesRoundTrip() {
        byte[] bytes = new byte[30_000];
        new SplittableRandom(42).nextBytes(bytes);
        String version = http.putBytes("/key/random", bytes, "Content-Type", OCTET)
                .expect(201)
                .version();
        assertRawStored("/key/random", bytes, version);
    }

    @Test
    void emptyBody() {
        String version = http.putBytes("/key/empty", new byte[0], "Content-Type", OCTET)
                .expect(201)
                .version();
        assertRawStored("/key/empty", new byte[0], version);
    }

    @Test
    void rawReadOfAJsonValueIsItsCompactText() {
        String version = put("/key/json-raw", "{ \"a\" : [1, 2] }");
        Http.Resp raw = http.get("/key/json-raw", "Accept", OCTET).expect(200).expectEtag(version);
        assertThat(raw.text()).isEqualTo("{\"a\":[1,2]}");
    }

    @Test
    void rawReadOfAMissingKeyIsAJson404() {
        http.get("/key/raw-missing", "Accept", OCTET).expectError(404, "not_found");
    }

    @Test
    void rawValueWithContextHeaderAndDelete() {
        String v1 = http.putBytes("/key/raw-ctx", new byte[] {1}, "Content-Type", OCTET)
                .expect(201)
                .version();
        String v2 = http.putBytes("/key/raw-ctx", new byte[] {2}, "Content-Type", OCTET, "X-DynaKV-Context", v1)
                .expect(201)
                .version();
        assertRawStored("/key/raw-ctx", new byte[] {2}, v2);
        http.putBytes("/key/raw-ctx", new byte[] {3}, "Content-Type", OCTET, "X-DynaKV-Context", "garbage")
                .expectError(400, "invalid_context");
        assertRawStored("/key/raw-ctx", new byte[] {2}, v2);
        http.delete("/key/raw-ctx").expect(200);
        http.get("/key/raw-ctx", "Accept", OCTET).expectError(404, "not_found");
    }

    @Test
    void rawValueCanBeReplacedByJsonAndBack() {
        http.putBytes("/key/switch", new byte[] {0, 1}, "Content-Type", OCTET).expect(201);
        String v2 = put("/key/switch", "{\"now\":\"json\"}");
        assertStored("/key/switch", "{\"now\":\"json\"}", v2);
        String v3 = http.putBytes("/key/switch", new byte[] {(byte) 0xFF}, "Content-Type", OCTET)
                .expect(201)
                .version();
        assertRawStored("/key/switch", new byte[] {(byte) 0xFF}, v3);
    }
}
