package io.dynakv.storage.rocksdb;

import io.dynakv.storage.StorageEngineModelCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class RocksDbStorageEngineModelTest extends StorageEngineModelCheck {

    /** Each try opens a fresh database (tens of milliseconds), so fewer tries than in memory (about 2 s in all). */
    @Property(tries = 100)
    void behavesLikeASortedMap(@ForAll("operations") List<Op> ops) throws IOException {
        Path dir = Files.createTempDirectory("dynakv-model");
        try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, RocksDbStorageEngineTest.SMALL)) {
            check(engine, ops);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
