package io.dynakv.replication.rebalance;

import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Message;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Source nodes with data, a target with a replica, and the random records they hold. */
final class StreamFixtures {

    static final NodeId A = new NodeId(1);
    static final NodeId B = new NodeId(2);
    static final NodeId C = new NodeId(3);
    static final NodeId T = new NodeId(9);
    static final int PARTITION = 5;
    static final int OTHER_PARTITION = 6;
    static final int MAX_RECORDS_PER_PAGE = 100;
    static final String[] TABLES = {"users", "orders", "t", "a-much-longer-table-name"};

    private StreamFixtures() {}

    static PartitionStream.Settings settings(int pageBytes) {
        return new PartitionStream.Settings(pageBytes, 50_000_000L, 200_000_000L, 3);
    }

    /** A random version: a clock of 1-3 nodes, 1 in 5 a tombstone, values of 0-200 bytes. */
    static Versioned randomVersion(SplittableRandom random) {
        Map<NodeId, Long> entries = new HashMap<>();
        int nodes = 1 + random.nextInt(3);
        for (int i = 0; i < nodes; i++) {
            entries.put(new NodeId(1 + random.nextInt(5)), 1L + random.nextInt(20));
        }
        VersionVector clock = VersionVector.of(entries);
        long hlc = random.nextLong(1, 1L << 60);
        NodeId writer = new NodeId(1 + random.nextInt(5));
        if (random.nextInt(5) == 0) {
            return Versioned.tombstone(clock, hlc, writer);
        }
        byte[] value = new byte[random.nextInt(200)];
        random.nextBytes(value);
        return new Versioned(clock, hlc, writer, ValueKind.BYTES, value);
    }

    /** Puts {@code count} random records (distinct keys, prefixed) into {@code partition}. */
    static void fill(StorageEngine storage, int partition, String prefix, int count, SplittableRandom random) {
        for (int i = 0; i < count; i++) {
            byte[] suffix = new byte[random.nextInt(4)];
            random.nextBytes(suffix);
            byte[] key = concat((prefix + i).getBytes(StandardCharsets.UTF_8), suffix);
            storage.put(partition, TABLES[random.nextInt(TABLES.length)], key, randomVersion(random));
        }
    }

    static List<PartitionRecord> all(StorageEngine storage, int partition) {
        return storage.scanPartition(partition, null, null, Integer.MAX_VALUE);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Holds acknowledgements until {@link #release} when {@code holding}, as a slow fsync would;
     * otherwise runs them at once. Records every sequence it was asked about.
     */
    static final class HeldDurability implements Durability {
        boolean holding;
        final List<Long> asked = new ArrayList<>();
        private final List<Runnable> waiting = new ArrayList<>();

        @Override
        public void whenDurable(long sequence, Runnable onDurable, Consumer<RuntimeException> onFailed) {
            asked.add(sequence);
            if (holding) {
                waiting.add(onDurable);
            } else {
                onDurable.run();
            }
        }

        void release() {
            List<Runnable> ready = new ArrayList<>(waiting);
            waiting.clear();
            ready.forEach(Runnable::run);
        }
    }

    /** Sources {@code A, B, C}, each serving its own storage, and the target {@code T}. */
    static final class Cluster {
        final StreamNet net;
        final Map<NodeId, InMemoryStorageEngine> sources = new HashMap<>();
        final InMemoryStorageEngine target = new InMemoryStorageEngine();
        final Replica replica;
        final HeldDurability durability = new HeldDurability();
        final List<Integer> completed = new ArrayList<>();
        /** Sources still streaming the partition in themselves: they serve partial pages. */
        final Set<NodeId> incomplete = new HashSet<>();

        BiConsumer<NodeId, Message> targetHandler = (from, m) -> {};

        Cluster(StreamNet net) {
            this.net = net;
            this.replica = new Replica(target, new HlcClock(net), new ReplicationStats());
            for (NodeId node : List.of(A, B, C)) {
                InMemoryStorageEngine storage = new InMemoryStorageEngine();
                PartitionStreamServer server = new PartitionStreamServer(
                        storage, net.transport(node), MAX_RECORDS_PER_PAGE, p -> incomplete.contains(node));
                sources.put(node, storage);
                net.register(node, server::onMessage);
            }
            net.register(T, (from, m) -> targetHandler.accept(from, m));
        }

        InMemoryStorageEngine source(NodeId node) {
            return sources.get(node);
        }

        /** A stream of {@link #PARTITION} into {@code T} from {@code sources}, wired to receive pages. */
        PartitionStream stream(long streamId, List<NodeId> from, PartitionStream.Settings settings) {
            return stream(streamId, from, settings, completed::add);
        }

        PartitionStream stream(
                long streamId, List<NodeId> from, PartitionStream.Settings settings, Consumer<Integer> onComplete) {
            PartitionStream stream = new PartitionStream(
                    streamId,
                    new Transfer(PARTITION, from, T),
                    T,
                    replica,
                    durability,
                    net.transport(T),
                    net,
                    net,
                    settings,
                    onComplete);
            targetHandler = (node, m) -> stream.onPage(node, (StreamPage) m);
            return stream;
        }
    }
}
