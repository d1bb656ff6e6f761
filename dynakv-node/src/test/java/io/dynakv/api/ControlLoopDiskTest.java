package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.Hlc;
import io.dynakv.common.NodeId;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.storage.ForwardingStorageEngine;
import io.dynakv.storage.Hint;
import io.dynakv.storage.StorageEngine;
import io.vertx.core.Context;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 8: no event loop waits for the disk's slow calls. The control loop runs failure
 * detection; a synced metadata write or a hint scan there delays probe answers by whole fsyncs,
 * and a healthy node looks dead. The decorator records every such call made on an event loop.
 */
@Timeout(60)
class ControlLoopDiskTest {

    /** Never a member: its hints are for a node that left the ring. */
    private static final NodeId DEPARTED = new NodeId(0x0DEADL);

    @Test
    void theControlLoopDoesNoDiskIo(@TempDir Path dataDir) throws InterruptedException {
        List<String> onEventLoop = new CopyOnWriteArrayList<>();
        try (TestNode node = TestNode.start(dataDir, List.of(), storage -> {
            storage.putHint(new Hint(
                    0,
                    DEPARTED,
                    0,
                    "default",
                    "k".getBytes(StandardCharsets.UTF_8),
                    Versioned.tombstone(
                            VersionVector.of(Map.of(DEPARTED, 1L)),
                            Hlc.pack(System.currentTimeMillis(), 0),
                            DEPARTED)));
            return new SlowCallsRecorder(storage, onEventLoop);
        })) {
            Http http = node.http();
            http.put("/key/a", Http.valueBody("\"1\"")).expect(201);
            // The ring is saved at start; hint replay ticks every second and meets the departed
            // node's hint; gossip rounds run meanwhile.
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (http.get("/stats").expect(200).json().get("hints_dropped").asLong() == 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(http.get("/stats")
                            .expect(200)
                            .json()
                            .get("hints_dropped")
                            .asLong())
                    .as("the departed node's hint was dropped")
                    .isEqualTo(1);
        }
        assertThat(onEventLoop).as("slow storage calls made on an event loop").isEmpty();
    }

    /** Records the calls that fsync or scan (metadata writes, syncs, hint scans) made on an event loop. */
    private static final class SlowCallsRecorder extends ForwardingStorageEngine {
        private final List<String> onEventLoop;

        SlowCallsRecorder(StorageEngine delegate, List<String> onEventLoop) {
            super(delegate);
            this.onEventLoop = onEventLoop;
        }

        private void check(String call) {
            if (Context.isOnEventLoopThread()) {
                onEventLoop.add(call + " on " + Thread.currentThread().getName());
            }
        }

        @Override
        public void putMeta(String name, byte[] value) {
            check("putMeta(" + name + ")");
            super.putMeta(name, value);
        }

        @Override
        public long sync() {
            check("sync");
            return super.sync();
        }

        @Override
        public List<Hint> hints(NodeId target, long afterId, int limit) {
            check("hints");
            return super.hints(target, afterId, limit);
        }

        @Override
        public List<NodeId> hintTargets() {
            check("hintTargets");
            return super.hintTargets();
        }
    }
}
