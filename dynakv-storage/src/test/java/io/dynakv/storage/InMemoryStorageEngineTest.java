package io.dynakv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InMemoryStorageEngineTest extends StorageEngineContract {

    @Override
    protected StorageEngine create(Path dir) {
        return new InMemoryStorageEngine();
    }

    /** The simulator restarts a node on the same engine: its "disk" is the instance. */
    @Override
    protected StorageEngine reopen(StorageEngine closed, Path dir) {
        return closed;
    }

    @Test
    void crashLosesExactlyTheUnsyncedWrites() {
        InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
        memory.put(0, "t", utf8("kept"), json("kept", 1));
        memory.put(0, "t", utf8("overwritten"), json("old", 1));
        memory.put(0, "t", utf8("removed"), json("removed", 1));
        memory.put(1, "t", utf8("tombstoned"), json("live", 1));
        memory.putMeta("node-id", b(1));
        long synced = memory.sync();

        memory.put(0, "t", utf8("overwritten"), json("new", 2));
        memory.put(0, "t", utf8("overwritten"), json("newer", 3));
        memory.remove(0, "t", utf8("removed"));
        memory.put(1, "t", utf8("tombstoned"), tombstone());
        memory.put(0, "t", utf8("fresh"), json("fresh", 1));
        memory.put(0, "t", utf8("fresh-then-removed"), json("x", 1));
        memory.remove(0, "t", utf8("fresh-then-removed"));
        memory.putMeta("ring", b(2));
        long beforeCrash = memory.lastSequence();

        assertThat(memory.crash()).isEqualTo(5);

        assertThat(memory.get(0, "t", utf8("kept"))).contains(json("kept", 1));
        assertThat(memory.get(0, "t", utf8("overwritten"))).contains(json("old", 1));
        assertThat(memory.get(0, "t", utf8("removed"))).contains(json("removed", 1));
        assertThat(memory.get(1, "t", utf8("tombstoned"))).contains(json("live", 1));
        assertThat(memory.get(0, "t", utf8("fresh"))).isEmpty();
        assertThat(memory.get(0, "t", utf8("fresh-then-removed"))).isEmpty();
        assertThat(memory.scan(0, "t", new byte[0], null, 100)).hasSize(3);
        // Metadata is written durably at once, so a crash keeps it.
        assertThat(memory.getMeta("node-id")).isPresent();
        assertThat(memory.getMeta("ring")).isPresent();
        assertThat(memory.stats().estimatedKeys()).isEqualTo(4);
        // Numbers are never reused, and a crash right after a sync loses nothing.
        assertThat(memory.lastSequence()).isEqualTo(beforeCrash).isGreaterThan(synced);
        memory.sync();
        assertThat(memory.crash()).isZero();
        assertThat(memory.get(0, "t", utf8("kept"))).contains(json("kept", 1));
    }

    @Test
    void statsTrackRecordsAndBytesThroughOverwritesRemovesAndCrashes() {
        InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
        memory.put(0, "t", utf8("a"), json("1", 1));
        memory.sync();
        long oneRecord = memory.stats().diskBytes();
        memory.put(0, "t", utf8("a"), json("2", 1));
        memory.put(0, "t", utf8("b"), json("2", 1));
        assertThat(memory.stats().estimatedKeys()).isEqualTo(2);
        assertThat(memory.stats().diskBytes()).isEqualTo(2 * oneRecord);
        memory.remove(0, "t", utf8("b"));
        assertThat(memory.stats().estimatedKeys()).isEqualTo(1);
        memory.put(0, "t", utf8("c"), json("2", 1));
        memory.crash();
        assertThat(memory.stats()).isEqualTo(new StorageStats(1, oneRecord, oneRecord));
    }

    @Test
    void crashLosesExactlyTheUnsyncedHints() {
        InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
        NodeId target = new NodeId(9);
        long kept = memory.putHint(new Hint(0, target, 1, "t", utf8("kept"), json("a", 1)));
        long removedLater = memory.putHint(new Hint(0, target, 1, "t", utf8("gone"), json("b", 1)));
        memory.sync();
        memory.putHint(new Hint(0, target, 1, "t", utf8("lost"), json("c", 1)));
        memory.removeHint(target, removedLater);

        memory.crash();

        assertThat(memory.hints(target, 0, 10)).extracting(Hint::id).containsExactly(kept, removedLater);
    }
}
