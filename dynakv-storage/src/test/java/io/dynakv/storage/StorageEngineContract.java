package io.dynakv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link StorageEngine} must do, run against each engine by a subclass (Caffeine's
 * shared cache specs do the same across implementations). A subclass says how to open a fresh
 * engine in a directory and how to reopen one after {@link StorageEngine#close()}.
 */
public abstract class StorageEngineContract {

    protected static final NodeId NODE_A = new NodeId(0x0AL);
    protected static final NodeId NODE_B = new NodeId(0xB0000000000000BL);
    protected static final NodeId NODE_C = new NodeId(-1L);

    @TempDir
    protected Path dir;

    protected StorageEngine engine;

    /** A new, empty engine keeping its files (if any) in {@code dir}. */
    protected abstract StorageEngine create(Path dir);

    /** The same data after {@code closed} was closed: a new engine on {@code dir}, or the same one. */
    protected abstract StorageEngine reopen(StorageEngine closed, Path dir);

    @BeforeEach
    void openEngine() {
        engine = create(dir);
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    // ---- values ------------------------------------------------------------------------------

    protected static Versioned json(String text, long counter) {
        VersionVector clock = VersionVector.of(Map.of(NODE_A, counter, NODE_B, 3L, NODE_C, 7L));
        return new Versioned(clock, (1_000L << 16) | counter, NODE_A, ValueKind.JSON, utf8(text));
    }

    protected static Versioned bytes(byte[] value) {
        VersionVector clock = VersionVector.of(Map.of(NODE_B, 1L, NODE_C, 2L));
        return new Versioned(clock, 42L, NODE_B, ValueKind.BYTES, value);
    }

    protected static Versioned tombstone() {
        return Versioned.tombstone(VersionVector.of(Map.of(NODE_A, 9L, NODE_C, 1L)), 77L, NODE_C);
    }

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    protected static List<String> keysOf(List<StoredRecord> records) {
        List<String> keys = new ArrayList<>();
        for (StoredRecord r : records) {
            keys.add(Arrays.toString(r.key()));
        }
        return keys;
    }

    private static List<String> render(List<byte[]> keys) {
        List<String> out = new ArrayList<>();
        keys.forEach(k -> out.add(Arrays.toString(k)));
        return out;
    }

    // ---- point operations --------------------------------------------------------------------

    @Test
    void roundTripsEveryKindWithMultiEntryClocks() {
        Versioned doc = json("{\"a\":[1,2,{\"b\":null}]}", 5);
        Versioned raw = bytes(b(0, 1, 0xFF, 0x80));
        Versioned deleted = tombstone();
        engine.put(0, "default", utf8("doc"), doc);
        engine.put(0, "default", utf8("raw"), raw);
        engine.put(0, "default", utf8("gone"), deleted);

        assertThat(engine.get(0, "default", utf8("doc"))).contains(doc);
        assertThat(engine.get(0, "default", utf8("raw"))).contains(raw);
        assertThat(engine.get(0, "default", utf8("gone"))).contains(deleted);
        assertThat(engine.get(0, "default", utf8("gone")).orElseThrow().isTombstone())
                .isTrue();
        assertThat(engine.get(0, "default", utf8("doc")).orElseThrow().clock().size())
                .isEqualTo(3);
        assertThat(engine.get(0, "default", utf8("never"))).isEmpty();
    }

    @Test
    void overwriteReplacesTheVersion() {
        engine.put(3, "t", utf8("k"), json("1", 1));
        engine.put(3, "t", utf8("k"), json("2", 2));
        assertThat(engine.get(3, "t", utf8("k"))).contains(json("2", 2));
        assertThat(engine.scan(3, "t", new byte[0], null, 10)).hasSize(1);
    }

    @Test
    void removeDeletesOnlyThatRecord() {
        engine.put(1, "t", utf8("k"), json("1", 1));
        engine.put(1, "t", utf8("k2"), json("2", 1));
        engine.remove(1, "t", utf8("k"));
        engine.remove(1, "t", utf8("never-there"));
        assertThat(engine.get(1, "t", utf8("k"))).isEmpty();
        assertThat(engine.get(1, "t", utf8("k2"))).contains(json("2", 1));
        assertThat(keysOf(engine.scan(1, "t", new byte[0], null, 10))).containsExactly(Arrays.toString(utf8("k2")));
    }

    @Test
    void storedValuesDoNotAliasTheCallersArrays() {
        byte[] key = utf8("k");
        byte[] value = b(1, 2, 3);
        engine.put(0, "t", key, bytes(value));
        key[0] = 'x';
        value[0] = 9;
        assertThat(engine.get(0, "t", utf8("k"))).contains(bytes(b(1, 2, 3)));
    }

    @Test
    void tablesPartitionsAndKeyPrefixesDoNotCollide() {
        // (0,"a","bc") and (0,"ab","c") would collide under a plain concatenation.
        engine.put(0, "a", utf8("bc"), json("a/bc", 1));
        engine.put(0, "ab", utf8("c"), json("ab/c", 1));
        engine.put(1, "a", utf8("bc"), json("1:a/bc", 1));
        engine.put(256, "a", utf8("bc"), json("256:a/bc", 1));
        engine.put(65535, "a", utf8("bc"), json("65535:a/bc", 1));
        engine.put(0, "a", utf8("b"), json("a/b", 1));
        engine.put(0, "a", utf8("bcd"), json("a/bcd", 1));

        assertThat(engine.get(0, "a", utf8("bc"))).contains(json("a/bc", 1));
        assertThat(engine.get(0, "ab", utf8("c"))).contains(json("ab/c", 1));
        assertThat(engine.get(1, "a", utf8("bc"))).contains(json("1:a/bc", 1));
        assertThat(engine.get(256, "a", utf8("bc"))).contains(json("256:a/bc", 1));
        assertThat(engine.get(65535, "a", utf8("bc"))).contains(json("65535:a/bc", 1));
        assertThat(engine.get(0, "a", utf8("b"))).contains(json("a/b", 1));
        assertThat(engine.get(0, "a", utf8("bcd"))).contains(json("a/bcd", 1));
        assertThat(engine.get(0, "ab", utf8("bc"))).isEmpty();
        assertThat(engine.get(2, "a", utf8("bc"))).isEmpty();

        assertThat(keysOf(engine.scan(0, "a", new byte[0], null, 100)))
                .containsExactly(Arrays.toString(utf8("b")), Arrays.toString(utf8("bc")), Arrays.toString(utf8("bcd")));
        assertThat(keysOf(engine.scan(0, "ab", new byte[0], null, 100))).containsExactly(Arrays.toString(utf8("c")));
        assertThat(engine.scan(1, "a", new byte[0], null, 100)).hasSize(1);
        assertThat(engine.scan(0, "b", new byte[0], null, 100)).isEmpty();

        engine.remove(0, "a", utf8("bc"));
        assertThat(engine.get(0, "a", utf8("bcd"))).contains(json("a/bcd", 1));
        assertThat(engine.get(0, "ab", utf8("c"))).contains(json("ab/c", 1));
        assertThat(engine.get(1, "a", utf8("bc"))).contains(json("1:a/bc", 1));
    }

    @Test
    void emptyKeyIsRejectedButLargeKeysAndValuesWork() {
        assertThatThrownBy(() -> engine.put(0, "t", new byte[0], json("1", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine.get(0, "t", new byte[0])).isInstanceOf(IllegalArgumentException.class);

        byte[] bigKey = new byte[1024];
        Arrays.fill(bigKey, (byte) 0xAB);
        byte[] bigValue = new byte[1024 * 1024];
        new SplittableRandom(7).nextBytes(bigValue);
        engine.put(9, "t", bigKey, bytes(bigValue));
        assertThat(engine.get(9, "t", bigKey)).contains(bytes(bigValue));
        assertThat(engine.scan(9, "t", b(0xAB), null, 1).get(0).key()).isEqualTo(bigKey);
    }

    @Test
    void metaRoundTripsApartFromData() {
        assertThat(engine.getMeta("node-id")).isEmpty();
        engine.putMeta("node-id", b(1, 2, 3));
        engine.putMeta("ring", b(4));
        engine.putMeta("ring", b(5, 6));
        assertThat(engine.getMeta("node-id"))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
        assertThat(engine.getMeta("ring")).hasValueSatisfying(v -> assertThat(v).containsExactly(5, 6));
        assertThat(engine.get(0, "node-id", b(1))).isEmpty();
    }

    @Test
    void putMetasWritesEveryValueAndKeepsTheOthers() {
        engine.putMeta("kept", b(1));
        engine.putMeta("ring", b(2));
        engine.putMetas(Map.of("ring", b(3), "streaming", b(4, 5)));
        assertThat(engine.getMeta("kept")).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
        assertThat(engine.getMeta("ring")).hasValueSatisfying(v -> assertThat(v).containsExactly(3));
        assertThat(engine.getMeta("streaming"))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(4, 5));
    }

    @Test
    void droppingAPartitionDeletesOnlyItsRecordsAndLaterWritesStay() {
        engine.put(4, "t", b(1), json("four", 1));
        engine.put(4, "u", b(2), tombstone());
        engine.put(3, "t", b(1), json("three", 1));
        engine.put(5, "t", b(1), json("five", 1));
        engine.sync();
        engine.put(4, "t", b(9), json("unsynced", 1));

        engine.dropPartition(4);

        assertThat(engine.scanPartition(4, null, null, 10)).isEmpty();
        assertThat(engine.get(4, "t", b(1))).isEmpty();
        assertThat(engine.get(4, "u", b(2))).isEmpty();
        assertThat(engine.get(4, "t", b(9))).isEmpty();
        assertThat(engine.get(3, "t", b(1))).contains(json("three", 1));
        assertThat(engine.get(5, "t", b(1))).contains(json("five", 1));

        engine.put(4, "t", b(1), json("again", 2));
        engine.sync();
        assertThat(engine.get(4, "t", b(1))).contains(json("again", 2));
        assertThat(engine.scan(4, "t", null, null, 10)).hasSize(1);
    }

    @Test
    void droppingTheLastPartitionWorks() {
        engine.put(StorageKeys.MAX_PARTITION, "t", b(0xFF), json("last", 1));
        engine.sync();
        engine.dropPartition(StorageKeys.MAX_PARTITION);
        assertThat(engine.get(StorageKeys.MAX_PARTITION, "t", b(0xFF))).isEmpty();
    }

    // ---- scans -------------------------------------------------------------------------------

    @Test
    void scanOrdersKeysByUnsignedBytes() {
        List<byte[]> sorted = List.of(
                b(0x00),
                b(0x00, 0x00),
                b(0x00, 0xFF),
                b(0x01),
                b(0x7F),
                b(0x80),
                b(0xFF),
                b(0xFF, 0x00),
                b(0xFF, 0xFF));
        List<byte[]> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(1));
        for (byte[] key : shuffled) {
            engine.put(5, "t", key, bytes(key));
        }
        engine.put(5, "u", b(0x00), bytes(b(1)));
        engine.put(4, "t", b(0xFF), bytes(b(1)));
        engine.put(6, "t", b(0x00), bytes(b(1)));

        List<StoredRecord> all = engine.scan(5, "t", new byte[0], null, 100);
        assertThat(keysOf(all)).containsExactlyElementsOf(render(sorted));
        for (StoredRecord r : all) {
            assertThat(r.value()).isEqualTo(bytes(r.key()));
        }
        assertThat(engine.scan(5, "t", null, null, 100)).hasSize(sorted.size());
    }

    @Test
    void scanFiltersByPrefix() {
        for (byte[] key : List.of(b(0x00), b(0x00, 0x00), b(0x01), b(0xFF), b(0xFF, 0x00), b(0xFF, 0xFF, 0x01))) {
            engine.put(7, "t", key, bytes(key));
        }
        engine.put(7, "tt", b(0xFF), bytes(b(1)));
        engine.put(8, "t", b(0xFF), bytes(b(1)));

        assertThat(keysOf(engine.scan(7, "t", b(0xFF), null, 100)))
                .containsExactlyElementsOf(render(List.of(b(0xFF), b(0xFF, 0x00), b(0xFF, 0xFF, 0x01))));
        assertThat(keysOf(engine.scan(7, "t", b(0xFF, 0xFF), null, 100)))
                .containsExactlyElementsOf(render(List.of(b(0xFF, 0xFF, 0x01))));
        assertThat(keysOf(engine.scan(7, "t", b(0x00), null, 100)))
                .containsExactlyElementsOf(render(List.of(b(0x00), b(0x00, 0x00))));
        assertThat(engine.scan(7, "t", b(0x02), null, 100)).isEmpty();
        assertThat(engine.scan(7, "t", b(0xFF, 0xFF, 0x01, 0x00), null, 100)).isEmpty();
    }

    @Test
    void afterKeyIsExclusiveAndMayBeAnyKey() {
        for (byte[] key : List.of(b(1), b(2), b(2, 0), b(3))) {
            engine.put(0, "t", key, bytes(key));
        }
        assertThat(keysOf(engine.scan(0, "t", new byte[0], b(2), 100)))
                .containsExactlyElementsOf(render(List.of(b(2, 0), b(3))));
        assertThat(keysOf(engine.scan(0, "t", new byte[0], b(1, 5), 100)))
                .containsExactlyElementsOf(render(List.of(b(2), b(2, 0), b(3))));
        assertThat(keysOf(engine.scan(0, "t", new byte[0], b(0), 100))).hasSize(4);
        assertThat(engine.scan(0, "t", new byte[0], b(3), 100)).isEmpty();
        assertThat(engine.scan(0, "t", new byte[0], b(0xFF, 0xFF), 100)).isEmpty();
        // afterKey before the prefix range starts the range from its beginning, after it ends it.
        assertThat(keysOf(engine.scan(0, "t", b(2), b(1), 100)))
                .containsExactlyElementsOf(render(List.of(b(2), b(2, 0))));
        assertThat(engine.scan(0, "t", b(2), b(2, 0), 100)).isEmpty();
    }

    @Test
    void paginationWithAfterKeyYieldsEveryKeyExactlyOnce() {
        SplittableRandom random = new SplittableRandom(11);
        TreeSet<byte[]> expected = new TreeSet<>(StorageKeys.ORDER);
        while (expected.size() < 300) {
            byte[] key = new byte[1 + random.nextInt(4)];
            random.nextBytes(key);
            key[0] = (byte) (random.nextBoolean() ? 0xFF : 0x00);
            expected.add(key);
        }
        for (byte[] key : expected) {
            engine.put(2, "t", key, bytes(key));
            engine.put(2, "t2", key, bytes(key));
        }
        engine.remove(2, "t2", expected.first());

        for (int pageSize : new int[] {1, 7, 300, 1000}) {
            List<byte[]> seen = paginate(2, "t", new byte[0], pageSize, expected.size());
            assertThat(render(seen))
                    .as("page size %d", pageSize)
                    .containsExactlyElementsOf(render(List.copyOf(expected)));
        }

        List<byte[]> withPrefix = paginate(2, "t", b(0xFF), 5, expected.size());
        assertThat(render(withPrefix)).containsExactlyElementsOf(render(List.copyOf(expected.tailSet(b(0xFF), true))));
    }

    /** Pages through a scan; stops (and so fails the caller's check) once past {@code keysMax}. */
    private List<byte[]> paginate(int partition, String table, byte[] prefix, int pageSize, int keysMax) {
        List<byte[]> seen = new ArrayList<>();
        byte[] after = null;
        while (seen.size() <= keysMax) {
            List<StoredRecord> page = engine.scan(partition, table, prefix, after, pageSize);
            assertThat(page.size()).isLessThanOrEqualTo(pageSize);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(r -> seen.add(r.key()));
            after = page.get(page.size() - 1).key();
        }
        return seen;
    }

    @Test
    void scanHonoursLimitAndIncludesTombstones() {
        for (int i = 0; i < 10; i++) {
            engine.put(0, "t", b('k', i), i % 2 == 0 ? tombstone() : json(Integer.toString(i), i + 1));
        }
        assertThat(engine.scan(0, "t", new byte[0], null, 0)).isEmpty();
        assertThat(engine.scan(0, "t", new byte[0], null, 3)).hasSize(3);
        List<StoredRecord> all = engine.scan(0, "t", new byte[0], null, 100);
        assertThat(all).hasSize(10);
        assertThat(all.get(0).value().isTombstone()).isTrue();
        assertThat(all.get(1).value()).isEqualTo(json("1", 2));
        assertThatThrownBy(() -> engine.scan(0, "t", new byte[0], null, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- sequence numbers and durability ------------------------------------------------------

    @Test
    void sequenceNumbersIncreaseAndSyncCoversThem() {
        long previous = engine.lastSequence();
        long highest = previous;
        for (int i = 0; i < 20; i++) {
            long seq = i % 3 == 0
                    ? engine.remove(0, "t", b(i))
                    : engine.put(0, "t", b(i), json(Integer.toString(i), i + 1));
            assertThat(seq).isGreaterThan(previous);
            assertThat(engine.lastSequence()).isGreaterThanOrEqualTo(seq);
            previous = seq;
            highest = Math.max(highest, seq);
            if (i % 5 == 0) {
                assertThat(engine.sync()).isGreaterThanOrEqualTo(seq);
            }
        }
        assertThat(engine.sync()).isGreaterThanOrEqualTo(highest);
        assertThat(engine.sync()).isGreaterThanOrEqualTo(highest);
    }

    @Test
    void aWriteIsReportedUnsyncedUntilASyncCoversIt() {
        long first = engine.put(0, "t", utf8("a"), json("a", 1));
        long second = engine.remove(0, "t", utf8("b"));

        assertThat(engine.unsyncedSequence(0, "t", utf8("a"))).isEqualTo(first);
        assertThat(engine.unsyncedSequence(0, "t", utf8("b"))).isEqualTo(second);
        assertThat(engine.unsyncedSequence(0, "t", utf8("c"))).isZero();
        engine.sync();
        assertThat(engine.unsyncedSequence(0, "t", utf8("a"))).isZero();
        assertThat(engine.unsyncedSequence(0, "t", utf8("b"))).isZero();
    }

    @Test
    void reopenAfterCloseKeepsSyncedAndCleanlyClosedWrites() {
        engine.put(0, "t", utf8("a"), json("a", 1));
        engine.put(300, "other", utf8("b"), bytes(b(1, 2)));
        engine.put(0, "t", utf8("c"), tombstone());
        engine.put(0, "t", utf8("d"), json("d", 1));
        engine.remove(0, "t", utf8("d"));
        engine.putMeta("node-id", b(7));
        long synced = engine.sync();
        engine.put(0, "t", utf8("after-sync"), json("x", 1)); // a clean close keeps this too
        long last = engine.lastSequence();

        engine.close();
        engine = reopen(engine, dir);

        assertThat(engine.get(0, "t", utf8("a"))).contains(json("a", 1));
        assertThat(engine.get(300, "other", utf8("b"))).contains(bytes(b(1, 2)));
        assertThat(engine.get(0, "t", utf8("c"))).contains(tombstone());
        assertThat(engine.get(0, "t", utf8("d"))).isEmpty();
        assertThat(engine.get(0, "t", utf8("after-sync"))).contains(json("x", 1));
        assertThat(engine.getMeta("node-id"))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(7));
        assertThat(engine.lastSequence()).isGreaterThanOrEqualTo(Math.max(synced, last));
        assertThat(engine.put(0, "t", utf8("e"), json("e", 1))).isGreaterThan(last);
    }

    @Test
    void statsCountRecords() {
        for (int i = 0; i < 50; i++) {
            engine.put(0, "t", b(i + 1), json(Integer.toString(i), 1));
        }
        StorageStats stats = engine.stats();
        assertThat(stats.estimatedKeys()).isPositive();
        assertThat(stats.diskBytes()).isGreaterThanOrEqualTo(0);
        assertThat(stats.memoryBytes()).isPositive();
    }

    @Test
    void concurrentPutsFromSeveralThreadsAllLand() throws InterruptedException {
        int threads = 4;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Long> sequences = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] key = utf8(thread + "/" + i);
                        sequences.add(engine.put(i % 4, "t", key, bytes(key)));
                        if (i % 100 == 0) {
                            engine.sync();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(failures).isEmpty();

        Set<Long> distinct = new HashSet<>(sequences);
        assertThat(distinct).hasSize(threads * perThread);
        assertThat(engine.sync()).isGreaterThanOrEqualTo(Collections.max(distinct));
        int found = 0;
        for (int partition = 0; partition < 4; partition++) {
            found += engine.scan(partition, "t", new byte[0], null, 10_000).size();
        }
        assertThat(found).isEqualTo(threads * perThread);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                byte[] key = utf8(t + "/" + i);
                assertThat(engine.get(i % 4, "t", key)).contains(bytes(key));
            }
        }
    }

    @Test
    void scanPartitionWalksEveryTableOfOnePartitionInPages() {
        engine.put(3, "b", utf8("k2"), json("b2", 1));
        engine.put(3, "a", utf8("k1"), json("a1", 1));
        engine.put(3, "ab", utf8("k0"), json("ab0", 1));
        engine.put(3, "a", utf8("k3"), json("a3", 1));
        engine.put(2, "a", utf8("other"), json("x", 1));
        engine.put(4, "a", utf8("other"), json("x", 1));
        engine.sync(); // a partition scan may miss writes not yet synced

        List<String> seen = new ArrayList<>();
        String afterTable = null;
        byte[] afterKey = null;
        for (int page = 0; page < 10; page++) {
            List<PartitionRecord> records = engine.scanPartition(3, afterTable, afterKey, 2);
            records.forEach(r -> seen.add(r.table() + "/" + new String(r.key(), StandardCharsets.UTF_8)));
            if (records.size() < 2) {
                break;
            }
            afterTable = records.get(records.size() - 1).table();
            afterKey = records.get(records.size() - 1).key();
        }

        // Storage order: table length first, then table bytes, then key.
        assertThat(seen).containsExactly("a/k1", "a/k3", "b/k2", "ab/k0");
        assertThat(engine.scanPartition(3, null, null, 10).get(0).value()).isEqualTo(json("a1", 1));
    }

    @Test
    void hintsArePerTargetInIdOrderAndSurviveAReopen() {
        NodeId a = new NodeId(1);
        NodeId b = new NodeId(-2); // unsigned high: must not bleed into a's range
        long first = engine.putHint(new Hint(0, a, 3, "t", utf8("k1"), json("v1", 1)));
        long other = engine.putHint(new Hint(0, b, 4, "u", utf8("k2"), json("v2", 1)));
        long second = engine.putHint(new Hint(0, a, 5, "t", utf8("k3"), json("v3", 2)));
        assertThat(second).isGreaterThan(first);
        assertThat(other).isNotIn(first, second);

        List<Hint> forA = engine.hints(a, 0, 10);
        assertThat(forA).extracting(Hint::id).containsExactly(first, second);
        assertThat(forA.get(0)).isEqualTo(new Hint(first, a, 3, "t", utf8("k1"), json("v1", 1)));
        assertThat(engine.hints(a, first, 10)).extracting(Hint::id).containsExactly(second);
        assertThat(engine.hints(a, 0, 1)).extracting(Hint::id).containsExactly(first);
        assertThat(engine.hints(b, 0, 10)).extracting(Hint::id).containsExactly(other);
        assertThat(engine.hintCount()).isGreaterThanOrEqualTo(3);

        engine.removeHint(a, first);
        assertThat(engine.hints(a, 0, 10)).extracting(Hint::id).containsExactly(second);
        engine.sync();
        engine.close();
        engine = reopen(engine, dir);
        assertThat(engine.hints(a, 0, 10)).extracting(Hint::id).containsExactly(second);
        assertThat(engine.putHint(new Hint(0, a, 1, "t", utf8("k4"), json("v4", 1))))
                .isGreaterThan(other);
    }
}
