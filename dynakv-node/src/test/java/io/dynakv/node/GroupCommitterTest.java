package io.dynakv.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.storage.FullDiskStorageEngine;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.StorageFullException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A write whose fsync fails is failed at once, never acknowledged; the committer recovers by itself. */
@Timeout(30)
class GroupCommitterTest {

    private static final NodeId NODE = new NodeId(1);

    @Test
    void aBatchThatCannotBeWrittenFailsAtOnceAndLaterWritesSucceedOnceTheDiskHasRoom() throws Exception {
        FullDiskStorageEngine disk = new FullDiskStorageEngine(new InMemoryStorageEngine());
        try (GroupCommitter committer = new GroupCommitter(disk, FsyncMode.always, Duration.ofMillis(10))) {
            long accepted = disk.put(0, "t", bytes("k"), value("accepted before the disk filled"));
            disk.fill();
            CompletableFuture<String> first = outcome(committer, accepted);
            assertThat(first.get(5, TimeUnit.SECONDS)).startsWith("failed: " + StorageFullException.class.getName());

            disk.empty();
            long next = disk.put(0, "t", bytes("k2"), value("after"));
            assertThat(outcome(committer, next).get(5, TimeUnit.SECONDS)).isEqualTo("durable");
            assertThat(disk.get(0, "t", bytes("k"))).isPresent(); // kept, and written by the retry
        }
    }

    private static CompletableFuture<String> outcome(GroupCommitter committer, long sequence) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        committer.whenDurable(
                sequence, () -> outcome.complete("durable"), failure -> outcome.complete("failed: " + failure));
        return outcome;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Versioned value(String text) {
        return new Versioned(
                VersionVector.of(Map.of(NODE, 1L)), 1L << 16, NODE, ValueKind.JSON, bytes('"' + text + '"'));
    }
}
