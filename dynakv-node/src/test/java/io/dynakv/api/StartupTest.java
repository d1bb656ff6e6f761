package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.node.Node;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting a node that cannot start says why, and leaves its data directory usable. */
@Timeout(60)
class StartupTest {

    @Test
    void portInUseIsReportedAndTheDataDirectoryStaysUsable(@TempDir Path dataDir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Node.start(TestNode.config(port, dataDir, List.of())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
        }
        try (TestNode node = TestNode.start(dataDir, List.of())) {
            node.http().put("/key/after", Http.valueBody("1")).expect(201);
            assertThat(node.http()
                            .get("/health")
                            .expect(200)
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("serving");
        }
    }

    @Test
    void partitionCountCannotChangeOnAnExistingDataDirectory(@TempDir Path dataDir) {
        try (TestNode first = TestNode.start(dataDir, List.of("--partitions", "64"))) {
            first.http().put("/key/a", Http.valueBody("1")).expect(201);
        }
        assertThatThrownBy(() -> TestNode.start(dataDir, List.of("--partitions", "128")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--partitions=64")
                .hasMessageContaining("128");
        try (TestNode again = TestNode.start(dataDir, List.of("--partitions", "64"))) {
            again.http().get("/key/a").expect(200);
        }
    }
}
