package io.dynakv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of operations against an engine and against a naive model (a sorted map per
 * partition and table, scanned in full and filtered) must give the same results, as etcd-io/raft's
 * {@code quorum/quick_test.go} checks its fast code against a slow one. A subclass names the engine
 * and the number of tries in its {@code @Property}; engines that model crashes
 * ({@link InMemoryStorageEngine}) also get crash operations, checked against the model's state at
 * its last sync.
 *
 * <p>Keys, prefixes and afterKeys come from a tiny alphabet including 0x00, 0x7F, 0x80 and 0xFF, so
 * that overwrites, shared prefixes and sign-sensitive orderings happen often; tables {@code a} and
 * {@code ab} and partitions 0, 1, 256 and 65535 exercise the address layout.
 */
public abstract class StorageEngineModelCheck {

    /** One step of a run. Arrays in records: toString is spelled out so shrunk runs are readable. */
    public sealed interface Op permits Put, Remove, Get, Scan, Sync, Crash {}

    @SuppressWarnings("ArrayRecordComponent") // identity equality is fine: ops are only replayed
    public record Put(int partition, String table, byte[] key, Versioned value) implements Op {
        @Override
        public String toString() {
            return "put(" + partition + "," + table + "," + Arrays.toString(key) + "," + value + ")";
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // identity equality is fine: ops are only replayed
    public record Remove(int partition, String table, byte[] key) implements Op {
        @Override
        public String toString() {
            return "remove(" + partition + "," + table + "," + Arrays.toString(key) + ")";
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // identity equality is fine: ops are only replayed
    public record Get(int partition, String table, byte[] key) implements Op {
        @Override
        public String toString() {
            return "get(" + partition + "," + table + "," + Arrays.toString(key) + ")";
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // identity equality is fine: ops are only replayed
    public record Scan(int partition, String table, byte[] prefix, byte[] afterKey, int limit) implements Op {
        @Override
        public String toString() {
            return "scan(" + partition + "," + table + ",prefix=" + Arrays.toString(prefix) + ",after="
                    + Arrays.toString(afterKey) + ",limit=" + limit + ")";
        }
    }

    public record Sync() implements Op {}

    public record Crash() implements Op {}

    /** Whether the engine under test implements {@link InMemoryStorageEngine#crash()}. */
    protected boolean crashes() {
        return false;
    }

    @Provide
    public Arbitrary<List<Op>> operations() {
        Arbitrary<Integer> partitions = Arbitraries.of(0, 1, 256, 65535);
        Arbitrary<String> tables = Arbitraries.of("a", "ab", "b");
        Arbitrary<byte[]> keys = bytes(1, 4);
        Arbitrary<Op> put =
                Combinators.combine(partitions, tables, keys, values()).as(Put::new);
        Arbitrary<Op> remove = Combinators.combine(partitions, tables, keys).as(Remove::new);
        Arbitrary<Op> get = Combinators.combine(partitions, tables, keys).as(Get::new);
        Arbitrary<Op> scan = Combinators.combine(
                        partitions,
                        tables,
                        bytes(0, 2),
                        keys.injectNull(0.4),
                        Arbitraries.integers().between(0, 12))
                .as(Scan::new);
        Arbitrary<Op> sync = Arbitraries.just(new Sync());
        Arbitrary<Op> crash = Arbitraries.just(new Crash());
        return Arbitraries.frequencyOf(
                        Tuple.of(8, put),
                        Tuple.of(3, remove),
                        Tuple.of(3, get),
                        Tuple.of(3, scan),
                        Tuple.of(1, sync),
                        Tuple.of(crashes() ? 1 : 0, crash))
                .list()
                .ofMaxSize(80);
    }

    private static Arbitrary<byte[]> bytes(int minSize, int maxSize) {
        return Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x7F, (byte) 0x80, (byte) 0xFF, (byte) 'a')
                .list()
                .ofMinSize(minSize)
                .ofMaxSize(maxSize)
                .map(list -> {
                    byte[] out = new byte[list.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = list.get(i);
                    }
                    return out;
                });
    }

    private static Arbitrary<Versioned> values() {
        Arbitrary<ValueKind> kinds = Arbitraries.of(ValueKind.class);
        Arbitrary<Long> counters = Arbitraries.longs().between(1, 5);
        return Combinators.combine(kinds, counters, bytes(0, 6)).as((kind, counter, value) -> {
            VersionVector clock = VersionVector.of(Map.of(new NodeId(1), counter, new NodeId(-2), 1L));
            NodeId writer = new NodeId(counter);
            return kind == ValueKind.TOMBSTONE
                    ? Versioned.tombstone(clock, counter, writer)
                    : new Versioned(clock, counter, writer, kind, value);
        });
    }

    /** Runs {@code ops} against {@code engine} and the model, comparing every result. */
    protected void check(StorageEngine engine, List<Op> ops) {
        Model live = new Model();
        Model durable = new Model();
        long lastSequence = engine.lastSequence();
        for (Op op : ops) {
            if (op instanceof Put p) {
                long seq = engine.put(p.partition(), p.table(), p.key(), p.value());
                assertThat(seq).as("%s", op).isGreaterThan(lastSequence);
                lastSequence = seq;
                live.table(p.partition(), p.table()).put(p.key(), p.value());
            } else if (op instanceof Remove r) {
                long seq = engine.remove(r.partition(), r.table(), r.key());
                assertThat(seq).as("%s", op).isGreaterThan(lastSequence);
                lastSequence = seq;
                live.table(r.partition(), r.table()).remove(r.key());
            } else if (op instanceof Get g) {
                assertThat(engine.get(g.partition(), g.table(), g.key()))
                        .as("%s", op)
                        .isEqualTo(Optional.ofNullable(
                                live.table(g.partition(), g.table()).get(g.key())));
            } else if (op instanceof Scan s) {
                assertThat(engine.scan(s.partition(), s.table(), s.prefix(), s.afterKey(), s.limit()))
                        .as("%s", op)
                        .containsExactlyElementsOf(live.scan(s));
            } else if (op instanceof Sync) {
                assertThat(engine.sync()).as("%s", op).isGreaterThanOrEqualTo(lastSequence);
                durable = live.copy();
            } else if (op instanceof Crash) {
                ((InMemoryStorageEngine) engine).crash();
                live = durable.copy();
            }
        }
        for (Map.Entry<String, NavigableMap<byte[], Versioned>> table : live.tables.entrySet()) {
            String[] address = table.getKey().split("/", 2);
            Scan all = new Scan(Integer.parseInt(address[0]), address[1], new byte[0], null, Integer.MAX_VALUE);
            assertThat(engine.scan(all.partition(), all.table(), all.prefix(), null, 1000))
                    .as("final contents of %s", table.getKey())
                    .containsExactlyElementsOf(live.scan(all));
        }
    }

    /** The naive model: one sorted map per "partition/table"; scans read every entry. */
    private static final class Model {
        final Map<String, NavigableMap<byte[], Versioned>> tables = new HashMap<>();

        NavigableMap<byte[], Versioned> table(int partition, String table) {
            return tables.computeIfAbsent(partition + "/" + table, t -> new TreeMap<>(Arrays::compareUnsigned));
        }

        List<StoredRecord> scan(Scan s) {
            List<StoredRecord> out = new ArrayList<>();
            for (Map.Entry<byte[], Versioned> e :
                    table(s.partition(), s.table()).entrySet()) {
                byte[] key = e.getKey();
                boolean inPrefix = key.length >= s.prefix().length
                        && Arrays.equals(key, 0, s.prefix().length, s.prefix(), 0, s.prefix().length);
                boolean afterCursor = s.afterKey() == null || Arrays.compareUnsigned(key, s.afterKey()) > 0;
                if (inPrefix && afterCursor && out.size() < s.limit()) {
                    out.add(new StoredRecord(key, e.getValue()));
                }
            }
            return out;
        }

        Model copy() {
            Model copy = new Model();
            tables.forEach((name, table) -> copy.tables.put(name, new TreeMap<>(table)));
            return copy;
        }
    }
}
