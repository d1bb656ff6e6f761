package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Any key of 1..1024 bytes of valid UTF-8, sent fully percent-encoded, round-trips, and is listed
 * under its own name; any string value round-trips. jqwik prints the seed of a failing run.
 */
class KeyAndValuePropertiesTest {

    private static Path dataDir;
    private static TestNode node;

    @BeforeContainer
    static void startNode() throws IOException {
        dataDir = Files.createTempDirectory("dynakv-properties");
        node = TestNode.start(dataDir, List.of());
    }

    @AfterContainer
    static void stopNode() throws IOException {
        if (node != null) {
            node.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** True when {@code s} has no unpaired surrogate, so it is valid UTF-8 once encoded. */
    private static boolean wellFormed(String s) {
        return s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Property(tries = 150)
    void anyValidKeyRoundTrips(@ForAll @StringLength(min = 1, max = 300) String key) {
        Assume.that(wellFormed(key));
        Assume.that(key.getBytes(StandardCharsets.UTF_8).length <= 1024);
        Http http = node.http();
        String path = "/props/key/" + KeyPathTest.encodeAll(key);
        String body = "{\"value\":" + Http.MAPPER.valueToTree(key) + "}";
        Http.Resp put = http.put(path, body).expect(201);
        assertThat(put.json().get("key").asText()).isEqualTo(key);
        JsonNode got = http.get(path).expect(200).expectEtag(put.version()).json();
        assertThat(got.get("key").asText()).isEqualTo(key);
        assertThat(got.get("value").asText()).isEqualTo(key);
        JsonNode batch = http.post("/props/keys", "{\"keys\":[" + Http.MAPPER.valueToTree(key) + "]}")
                .expect(200)
                .json();
        assertThat(batch.get("items").get(0).get("key").asText()).isEqualTo(key);
        JsonNode listed = http.get("/props/keys?limit=1000&prefix=" + URLEncoder.encode(key, StandardCharsets.UTF_8))
                .expect(200)
                .json()
                .get("keys");
        List<String> names = new ArrayList<>();
        listed.forEach(k -> names.add(k.asText()));
        assertThat(names).contains(key).allMatch(k -> k.startsWith(key));
    }

    @Property(tries = 150)
    void anyStringValueRoundTrips(@ForAll @StringLength(max = 2000) String value) {
        Assume.that(wellFormed(value));
        Http http = node.http();
        String body = "{\"value\":" + Http.MAPPER.valueToTree(value) + "}";
        String version = http.put("/key/string-value", body).expect(201).version();
        JsonNode got = http.get("/key/string-value").expect(200).json();
        assertThat(got.get("value").asText()).isEqualTo(value);
        assertThat(got.get("version").asText()).isEqualTo(version);
    }
}
