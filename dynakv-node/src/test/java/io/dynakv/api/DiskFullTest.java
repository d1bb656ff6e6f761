package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.storage.FullDiskStorageEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 item 5: on a full disk a write answers 507 with what to do, the node stays up and serves
 * reads, and writes work again once space returns, without a restart. The disk is a fault decorator
 * here; DiskFaultIT fills a real one.
 */
@Timeout(60)
class DiskFullTest {

    @Test
    void writesAnswer507WhileTheDiskIsFullAndReadsGoOn(@TempDir Path dataDir) {
        AtomicReference<FullDiskStorageEngine> disk = new AtomicReference<>();
        try (TestNode node = TestNode.start(dataDir, List.of(), storage -> {
            disk.set(new FullDiskStorageEngine(storage));
            return disk.get();
        })) {
            Http http = node.http();
            http.put("/key/before", Http.valueBody("\"kept\"")).expect(201);

            disk.get().fill();
            Http.Resp refused =
                    http.put("/key/during", Http.valueBody("\"refused\"")).expectError(507, "insufficient_storage");
            assertThat(refused.json().get("message").asText())
                    .contains("the write was refused")
                    .contains("full")
                    .contains("0 of the 1 required");
            http.delete("/key/before").expectError(507, "insufficient_storage");
            assertThat(http.get("/key/before").expect(200).json().get("value").asText())
                    .isEqualTo("kept");
            http.get("/health").expect(200);
            assertThat(http.get("/stats").expect(200).json().get("disk_full").asBoolean())
                    .isTrue();
            assertThat(http.get("/metrics").expect(200).text()).contains("dynakv_disk_full 1.0");

            disk.get().empty();
            http.put("/key/after", Http.valueBody("\"stored\"")).expect(201);
            assertThat(http.get("/key/after").expect(200).json().get("value").asText())
                    .isEqualTo("stored");
            http.get("/key/during").expect(404);
            assertThat(http.get("/stats").expect(200).json().get("disk_full").asBoolean())
                    .isFalse();
        }
    }
}
