package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.dynakv.api.RawConnection.RawResponse;
import java.util.List;

/**
 * Fuzzes the real HTTP API of an in-process node over loopback (see fuzz/README.md). Whatever a
 * client sends, the answer is a well-formed HTTP response under 500 (one node with a healthy disk
 * has no reason for a 503 or 507), an error carries the JSON {@code {"error","message"}}, no
 * request waits longer than {@link RawConnection#READ_TIMEOUT_MILLIS}, and the canary stored
 * before still reads back unchanged while the node says it is serving.
 *
 * <p>Small limits, so that fuzzed inputs reach them: 64-byte keys, 4 KiB values.
 */
class HttpApiFuzzTest extends NodeTestBase {

    private static final int MAX_VALUE_BYTES = 4096;

    @Override
    List<String> nodeArgs() {
        return List.of("--max-key-bytes", "64", "--max-value-bytes", Integer.toString(MAX_VALUE_BYTES));
    }

    @FuzzTest(maxDuration = "5m")
    void everyRequestGetsAWellFormedAnswerBelow500(FuzzedDataProvider data) {
        FuzzedRequest request = FuzzedRequest.from(data, node.config().maxBodyBytes());
        // Jazzer's SSRF detector reports any connection; this test's only peer is its own node. The
        // detector is loaded with the fuzzer, after @BeforeAll, so it is told here.
        try (SilentCloseable nodeAllowed = BugDetectors.allowNetworkConnections((host, port) -> port == node.port());
                RawConnection connection = new RawConnection(node.port())) {
            if (connection.tryWrite(request.bytes)) {
                checkAnswer(request, connection.readFinal(!request.method.equals("HEAD")));
            }
            // Else the node answered before the whole request was sent and closed the connection
            // (a body over the limit is refused unread), so its answer may be lost to the reset.
            storedDataIntactAndNodeServing();
        }
    }

    private static void checkAnswer(FuzzedRequest request, RawResponse response) {
        assertThat(response.status()).as("status of %s", response.text()).isBetween(200, 499);
        if (response.status() >= 400 && !request.method.equals("HEAD")) {
            assertThat(response.headers().get("content-type")).startsWith("application/json");
            JsonNode error = response.json();
            assertThat(error.path("error").isTextual()).as(response.text()).isTrue();
            assertThat(error.path("message").asText()).as(response.text()).isNotBlank();
        }
    }
}
