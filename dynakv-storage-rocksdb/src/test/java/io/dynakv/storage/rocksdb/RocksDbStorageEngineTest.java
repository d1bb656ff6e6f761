package io.dynakv.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageEngineContract;
import io.dynakv.storage.StorageKeys;
import io.dynakv.storage.StorageOverloadedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

class RocksDbStorageEngineTest extends StorageEngineContract {

    /** Small buffers keep the many engines of a test run light; the tuning code paths are the same. */
    static final RocksDbStorageEngine.Options SMALL =
            new RocksDbStorageEngine.Options(8L << 20, 4L << 20, 2, 10, 2, true);

    @Override
    protected StorageEngine create(Path dir) {
        return RocksDbStorageEngine.open(dir, SMALL);
    }

    @Override
    protected StorageEngine reopen(StorageEngine closed, Path dir) {
        return RocksDbStorageEngine.open(dir, SMALL);
    }

    private RocksDbStorageEngine rocks() {
        return (RocksDbStorageEngine) engine;
    }

    @Test
    void reopenRecoversEverythingFromTableFilesAndLog() {
        for (int i = 0; i < 5_000; i++) {
            engine.put(i % 16, "t", utf8("key-" + i), json(Integer.toString(i), 1));
        }
        rocks().flushMemTables(); // the first half is read back from SST files
        for (int i = 5_000; i < 10_000; i++) {
            engine.put(i % 16, "t", utf8("key-" + i), json(Integer.toString(i), 1));
        }
        for (int i = 0; i < 10_000; i += 10) {
            engine.remove(i % 16, "t", utf8("key-" + i));
        }
        engine.sync();
        engine.close();
        engine = RocksDbStorageEngine.open(dir, RocksDbStorageEngine.Options.defaults());

        for (int i = 0; i < 10_000; i++) {
            assertThat(engine.get(i % 16, "t", utf8("key-" + i)))
                    .as("key-%d", i)
                    .isEqualTo(
                            i % 10 == 0
                                    ? java.util.Optional.empty()
                                    : java.util.Optional.of(json(Integer.toString(i), 1)));
        }
        int scanned = 0;
        for (int p = 0; p < 16; p++) {
            scanned += engine.scan(p, "t", new byte[0], null, 100_000).size();
        }
        assertThat(scanned).isEqualTo(9_000);
        assertThat(engine.stats().estimatedKeys()).isPositive();
        assertThat(engine.stats().diskBytes()).isPositive();
    }

    @Test
    void writeOverlayOverItsBoundRefusesWritesUntilTheDiskCatchesUp() {
        engine.close();
        engine = RocksDbStorageEngine.open(dir, SMALL, new PendingWrites.Limits(1L << 20, 100));
        int accepted = 0;
        try {
            for (int i = 0; i < 1_000; i++) {
                engine.put(0, "t", utf8("key-" + i), json(Integer.toString(i), 1)); // no group commit runs
                accepted++;
            }
        } catch (StorageOverloadedException refused) {
            assertThat(refused.getMessage()).contains("100 writes", "refused until it catches up");
        }
        assertThat(accepted).as("writes accepted while the disk wrote nothing").isEqualTo(100);
        engine.removeHint(NODE_A, 1); // shrinking the hints is never refused

        engine.sync(); // the disk catches up
        engine.put(0, "t", utf8("after"), json("after", 1));
        assertThat(engine.get(0, "t", utf8("key-99"))).isPresent();
        assertThat(engine.get(0, "t", utf8("key-100"))).isEmpty();
    }

    @Test
    void lockedDirectoryIsReportedWithWhatToDo() {
        assertThatThrownBy(() -> RocksDbStorageEngine.open(dir, SMALL))
                .isInstanceOf(StorageOpenException.class)
                .hasMessageContaining("another dynakv process is using " + dir.toAbsolutePath())
                .hasMessageContaining("stop it or choose another --data-dir")
                .satisfies(e ->
                        assertThat(((StorageOpenException) e).reason()).isEqualTo(StorageOpenException.Reason.LOCKED));
        // The failed open must not have disturbed the engine that holds the lock.
        engine.put(0, "t", utf8("k"), json("v", 1));
        assertThat(engine.get(0, "t", utf8("k"))).contains(json("v", 1));
    }

    @Test
    void corruptedDirectoryIsReportedWithWhatToDo() throws IOException {
        engine.put(0, "t", utf8("k"), json("v", 1));
        engine.close();
        Files.writeString(dir.resolve("CURRENT"), "garbage-without-newline", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> RocksDbStorageEngine.open(dir, SMALL))
                .isInstanceOf(StorageOpenException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("corrupted")
                .hasMessageContaining("replica or a backup")
                .satisfies(e -> assertThat(((StorageOpenException) e).reason())
                        .isEqualTo(StorageOpenException.Reason.CORRUPTED));
    }

    @Test
    void corruptedValueIsReportedNeverServed() throws RocksDBException {
        byte[] valid = json("the real value", 1).encode();
        byte[] flipped = valid.clone();
        flipped[flipped.length / 2] ^= 0x10;
        engine.put(0, "t", utf8("ok"), json("fine", 1));
        engine.close();
        writeRaw(dir, StorageKeys.recordKey(0, "t", utf8("garbage")), utf8("not a record at all"));
        writeRaw(dir, StorageKeys.recordKey(0, "t", utf8("flipped")), flipped);
        writeRaw(dir, StorageKeys.recordKey(0, "t", utf8("short")), new byte[] {1});
        engine = reopen(engine, dir);

        assertThatThrownBy(() -> engine.get(0, "t", utf8("garbage"))).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> engine.get(0, "t", utf8("flipped"))).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> engine.get(0, "t", utf8("short"))).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> engine.scan(0, "t", new byte[0], null, 10)).isInstanceOf(CorruptRecordException.class);
        assertThat(engine.get(0, "t", utf8("ok"))).contains(json("fine", 1));
        assertThat(engine.scan(0, "t", utf8("o"), null, 10)).hasSize(1);
        assertThat(engine.stats().corruptRecords()).isEqualTo(4);
    }

    @Test
    void flippedByteInATableFileStopsTheOpenNamingTheFile() throws IOException {
        for (int i = 0; i < 2_000; i++) {
            engine.put(i % 4, "t", utf8("key-" + i), json("value number " + i, 1));
        }
        engine.sync();
        rocks().flushMemTables();
        engine.close();
        Path table;
        try (var files = Files.list(dir)) {
            table = files.filter(f -> f.toString().endsWith(".sst"))
                    .max((x, y) -> Long.compare(x.toFile().length(), y.toFile().length()))
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(table);
        bytes[bytes.length / 4] ^= 0x40; // inside a data block: only reading it finds the damage
        Files.write(table, bytes);

        assertThatThrownBy(() -> RocksDbStorageEngine.open(dir, SMALL))
                .isInstanceOf(StorageOpenException.class)
                .hasMessageContaining(table.getFileName().toString())
                .hasMessageContaining("replica or a backup")
                .satisfies(e -> assertThat(((StorageOpenException) e).reason())
                        .isEqualTo(StorageOpenException.Reason.CORRUPTED));
    }

    @Test
    void callsAfterCloseFailCleanly() {
        engine.close();
        engine.close();
        assertThatThrownBy(() -> engine.get(0, "t", utf8("k")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> engine.sync()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void optionsRejectNonsense() {
        assertThatThrownBy(() -> new RocksDbStorageEngine.Options(0, 32L << 20, 2, 10, 2, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocksDbStorageEngine.Options(64L << 20, 32L << 20, 1, 10, 2, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RocksDbStorageEngine.Options.defaults().blockCacheBytes()).isEqualTo(64L << 20);
    }

    /** Writes bytes straight into the data column family, under the engine's checksum layer. */
    private static void writeRaw(Path dir, byte[] recordKey, byte[] raw) throws RocksDBException {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String name : List.of(
                "default", RocksDbStorageEngine.DATA_CF, RocksDbStorageEngine.HINTS_CF, RocksDbStorageEngine.META_CF)) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                WriteOptions sync = new WriteOptions().setSync(true);
                RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
            try {
                db.put(handles.get(1), sync, recordKey, raw);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }
}
