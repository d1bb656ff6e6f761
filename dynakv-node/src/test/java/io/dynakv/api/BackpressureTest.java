package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.Versioned;
import io.dynakv.storage.ForwardingStorageEngine;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageOverloadedException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 8: when more writes wait for the disk than storage buffers, a write is refused with
 * 503 and a message saying why (RocksDbStorageEngineTest shows the engine's bound); the node stays
 * up, serves reads, and takes writes again once the backlog drains.
 */
@Timeout(60)
class BackpressureTest {

    @Test
    void writeOverlayOverItsBoundAnswers503(@TempDir Path dataDir) {
        Overloadable[] disk = new Overloadable[1];
        try (TestNode node = TestNode.start(dataDir, List.of(), storage -> {
            disk[0] = new Overloadable(storage);
            return disk[0];
        })) {
            Http http = node.http();
            http.put("/key/before", Http.valueBody("\"kept\"")).expect(201);

            disk[0].overloaded = true;
            Http.Resp refused =
                    http.put("/key/during", Http.valueBody("\"refused\"")).expectError(503, "unavailable");
            assertThat(refused.json().get("message").asText()).contains("the disk is behind", "retry");
            assertThat(http.get("/key/before").expect(200).json().get("value").asText())
                    .isEqualTo("kept");
            http.get("/health").expect(200);

            disk[0].overloaded = false;
            http.put("/key/after", Http.valueBody("\"stored\"")).expect(201);
        }
    }

    /** Refuses writes as the RocksDB engine does when its backlog is over the bound. */
    private static final class Overloadable extends ForwardingStorageEngine {
        volatile boolean overloaded;

        Overloadable(StorageEngine delegate) {
            super(delegate);
        }

        @Override
        public long put(int partition, String table, byte[] key, Versioned value) {
            if (overloaded) {
                throw new StorageOverloadedException(
                        "the disk is behind: 200000 writes wait to be written; writes are refused until it"
                                + " catches up, retry shortly");
            }
            return super.put(partition, table, key, value);
        }
    }
}
