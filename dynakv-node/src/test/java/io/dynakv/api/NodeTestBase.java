package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node per test class on a free loopback port and a temporary data directory, stopped after
 * the class. Before the tests a canary value is stored in its own table; after every test the
 * canary must read back with the same value and version, and /health must still say serving: no
 * input may crash the node or corrupt stored data (DESIGN section 1, "Errors").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
abstract class NodeTestBase {

    static final String CANARY_PATH = "/canary_table/key/canary";
    static final String CANARY_VALUE = "{\"intact\":true,\"list\":[1,2,3],\"text\":\"h\\u00e9llo\"}";

    TestNode node;
    Http http;
    private String canaryVersion;

    /** Flags added to the node's command line; override for small limits. */
    List<String> nodeArgs() {
        return List.of();
    }

    @BeforeAll
    final void startNode(@TempDir Path dataDir) {
        node = TestNode.start(dataDir, nodeArgs());
        http = node.http();
        canaryVersion =
                http.put(CANARY_PATH, Http.valueBody(CANARY_VALUE)).expect(201).version();
    }

    @AfterEach
    final void storedDataIntactAndNodeServing() {
        Http.Resp canary = http.get(CANARY_PATH).expect(200);
        assertThat(canary.json().get("value")).isEqualTo(Http.parse(CANARY_VALUE));
        assertThat(canary.version()).isEqualTo(canaryVersion);
        assertThat(http.get("/health").expect(200).json().get("status").asText())
                .isEqualTo("serving");
    }

    @AfterAll
    final void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** PUTs {@code {"value": json}} and returns the version. */
    String put(String path, String json) {
        return http.put(path, Http.valueBody(json)).expect(201).version();
    }

    /** Asserts that {@code path} still holds {@code json} at {@code version}. */
    void assertStored(String path, String json, String version) {
        Http.Resp r = http.get(path).expect(200);
        JsonNode body = r.json();
        assertThat(body.get("value")).isEqualTo(Http.parse(json));
        assertThat(body.get("version").asText()).isEqualTo(version);
        r.expectEtag(version);
    }
}
