package io.dynakv.replication.antientropy;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Random replicas of a partition and the naive, scan-everything comparison the trees must match. */
final class AntiEntropyFixtures {

    static final int PARTITION = 7;
    static final int OTHER_PARTITION = 8;
    static final String[] TABLES = {"users", "orders", "t", "a-much-longer-table-name"};

    private AntiEntropyFixtures() {}

    /** A random version: a clock of 1-3 nodes, a kind (1 in 5 a tombstone), an HLC and a value. */
    static Versioned randomVersion(SplittableRandom random) {
        Map<NodeId, Long> entries = new HashMap<>();
        int nodes = 1 + random.nextInt(3);
        for (int i = 0; i < nodes; i++) {
            entries.put(new NodeId(1 + random.nextInt(5)), 1L + random.nextInt(20));
        }
        VersionVector clock = VersionVector.of(entries);
        long hlc = random.nextLong(1, Long.MAX_VALUE);
        NodeId writer = new NodeId(1 + random.nextInt(5));
        if (random.nextInt(5) == 0) {
            return Versioned.tombstone(clock, hlc, writer);
        }
        byte[] value = new byte[random.nextInt(8)];
        random.nextBytes(value);
        return new Versioned(clock, hlc, writer, random.nextBoolean() ? ValueKind.BYTES : ValueKind.JSON, value);
    }

    static byte[] randomKey(SplittableRandom random) {
        byte[] key = new byte[1 + random.nextInt(6)];
        random.nextBytes(key);
        return key;
    }

    static String randomTable(SplittableRandom random) {
        return TABLES[random.nextInt(TABLES.length)];
    }

    /** The version with one more event: a different clock, so a different version. */
    static Versioned newer(Versioned v, SplittableRandom random) {
        VersionVector clock = v.clock().merge(VersionVector.of(Map.of(new NodeId(9), 1L + random.nextInt(3))));
        return new Versioned(clock, v.hlc(), v.writer(), v.kind(), v.value());
    }

    /**
     * The same clock and kind with another HLC, writer and value: what a successor stamped below its
     * cause could leave on two replicas, and anti-entropy must find.
     */
    static Versioned sameClockOtherContents(Versioned v) {
        return new Versioned(v.clock(), v.hlc() ^ 1, new NodeId(v.writer().value() + 1), v.kind(), new byte[] {42});
    }

    /** Every record of a partition, in one scan. */
    static List<PartitionRecord> all(StorageEngine engine, int partition) {
        return engine.scanPartition(partition, null, null, Integer.MAX_VALUE);
    }

    /** What a replica holds in each bucket: (table, hex key) to the whole record, by full scan. */
    static Map<Integer, Map<String, Versioned>> naiveBuckets(StorageEngine engine, int partition, int leafCount) {
        Map<Integer, Map<String, Versioned>> buckets = new TreeMap<>();
        for (PartitionRecord r : all(engine, partition)) {
            int bucket = MerkleTree.bucketOf(r.table(), r.key(), leafCount);
            buckets.computeIfAbsent(bucket, b -> new TreeMap<>()).put(naiveKey(r.table(), r.key()), r.value());
        }
        return buckets;
    }

    static String naiveKey(String table, byte[] key) {
        return table + "/" + HexFormat.of().formatHex(key);
    }

    /** The buckets whose naive contents differ, ascending. */
    static List<Integer> naiveDifferingBuckets(StorageEngine a, StorageEngine b, int partition, int leafCount) {
        Map<Integer, Map<String, Versioned>> left = naiveBuckets(a, partition, leafCount);
        Map<Integer, Map<String, Versioned>> right = naiveBuckets(b, partition, leafCount);
        List<Integer> out = new ArrayList<>();
        for (int bucket = 0; bucket < leafCount; bucket++) {
            if (!Objects.equals(left.getOrDefault(bucket, Map.of()), right.getOrDefault(bucket, Map.of()))) {
                out.add(bucket);
            }
        }
        return out;
    }

    /** Wraps an engine, counting scanPartition calls and checking each asks for at most maxLimit. */
    static StorageEngine countingScans(StorageEngine engine, int maxLimit, AtomicInteger scans) {
        return (StorageEngine) Proxy.newProxyInstance(
                StorageEngine.class.getClassLoader(), new Class<?>[] {StorageEngine.class}, (proxy, method, args) -> {
                    if (method.getName().equals("scanPartition")) {
                        scans.incrementAndGet();
                        int limit = (Integer) args[3];
                        if (limit > maxLimit) {
                            throw new AssertionError("scan asked for " + limit + " records, page is " + maxLimit);
                        }
                    }
                    try {
                        return method.invoke(engine, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static InMemoryStorageEngine engine() {
        return new InMemoryStorageEngine();
    }
}
