package io.dynakv.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.storage.StorageFullException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: a small tmpfs (so this runs as root only, as CI does; elsewhere it is skipped)
 * that RocksDB's log fills with ENOSPC. Checks the engine's contract for it: writes are refused
 * with {@link StorageFullException}, reads go on, and once the tmpfs grows, the next sync reopens
 * the database, writes what failed, and takes writes again, with nothing synced lost.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RocksDbFullDiskTest {

    private static final NodeId NODE = new NodeId(1);

    @TempDir
    Path mountPoint;

    private boolean mounted;
    private RocksDbStorageEngine engine;

    @BeforeEach
    void mountSmallTmpfs() throws IOException, InterruptedException {
        assumeTrue(isRoot(), "mounting a small tmpfs needs root (CI runs as root)");
        mounted = run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mountPoint.toString()) == 0;
        assumeTrue(mounted, "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)");
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        if (engine != null) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                // closing on a full disk may fail to write what is pending: nothing to assert here
            }
        }
        if (mounted) {
            run("umount", mountPoint.toString());
        }
    }

    @Test
    void refusesWritesWhileFullServesReadsAndRecoversWhenSpaceReturns() throws Exception {
        Path dir = mountPoint.resolve("db");
        engine = RocksDbStorageEngine.open(dir, RocksDbStorageEngineTest.SMALL);
        List<Integer> synced = new ArrayList<>();
        int failedAt = fillUntilFull(synced);

        assertThat(engine.stats().diskFull()).isTrue();
        assertThatThrownBy(() -> engine.put(0, "t", key(-1), value(-1)))
                .isInstanceOf(StorageFullException.class)
                .hasMessageContaining("the disk of " + dir)
                .hasMessageContaining("free space");
        // RocksDB deletes what a failed flush left, which may leave room: take it, as another process would.
        Path ballast = fillRemainingSpace(mountPoint.resolve("ballast"));
        assertThatThrownBy(engine::sync).isInstanceOf(StorageFullException.class);
        assertThat(engine.get(0, "t", key(synced.get(0)))).contains(value(synced.get(0)));
        assertThat(engine.scan(0, "t", new byte[0], null, 5)).hasSize(5);

        Files.delete(ballast);
        assertThat(run("mount", "-o", "remount,size=128m", mountPoint.toString()))
                .isZero();
        engine.sync(); // reopens, then writes the batch that failed
        assertThat(engine.stats().diskFull()).isFalse();
        engine.put(0, "t", key(-2), value(-2));
        engine.sync();

        engine.close();
        engine = RocksDbStorageEngine.open(dir, RocksDbStorageEngineTest.SMALL);
        for (int i : synced) {
            assertThat(engine.get(0, "t", key(i))).as("key %d", i).contains(value(i));
        }
        assertThat(engine.get(0, "t", key(failedAt))).contains(value(failedAt));
        assertThat(engine.get(0, "t", key(-2))).contains(value(-2));
    }

    /** Puts and syncs 64 KiB values until a sync fails; returns the key whose sync failed. */
    private int fillUntilFull(List<Integer> synced) {
        for (int i = 0; i < 2_000; i++) {
            engine.put(0, "t", key(i), value(i));
            try {
                engine.sync();
            } catch (StorageFullException e) {
                return i;
            }
            synced.add(i);
        }
        throw new AssertionError("a 24 MiB tmpfs took 2000 values of 64 KiB without filling");
    }

    /** Writes a file until the disk has no room left. */
    private static Path fillRemainingSpace(Path ballast) throws IOException {
        byte[] chunk = new byte[256 * 1024];
        try (OutputStream out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException expected) {
            return ballast; // ENOSPC
        }
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static Versioned value(int i) {
        byte[] bytes = new byte[64 * 1024];
        Arrays.fill(bytes, (byte) ('a' + Math.floorMod(i, 26)));
        return new Versioned(VersionVector.of(Map.of(NODE, 1L)), 1_000L << 16, NODE, ValueKind.BYTES, bytes);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
