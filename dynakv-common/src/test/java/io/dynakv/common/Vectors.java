package io.dynakv.common;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators and naive models of version vectors for property tests. A plain vector is modelled
 * as a {@code Map<Long, Long>} (node to counter), a dotted one as the set of its events.
 */
final class Vectors {

    /** Few nodes, so generated vectors overlap; ids chosen to catch signed-versus-unsigned order. */
    static final List<Long> NODES =
            List.of(0L, 1L, 2L, 3L, Long.MAX_VALUE, Long.MIN_VALUE, 0x8000_0000_0000_0001L, -1L);

    /** Small counters, so generated vectors are often equal or ordered, not always concurrent. */
    static final long MAX_COUNTER = 6;

    /** One write: the coordinator's counter-th write of the key. */
    record Event(long node, long counter) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compareUnsigned(node, o.node);
            return c != 0 ? c : Long.compare(counter, o.counter);
        }
    }

    private Vectors() {}

    static Arbitrary<Long> nodes() {
        return Arbitraries.of(NODES);
    }

    static Arbitrary<Map<Long, Long>> plainMaps() {
        return Arbitraries.maps(nodes(), Arbitraries.longs().between(1, MAX_COUNTER))
                .ofMaxSize(NODES.size());
    }

    /** Arbitrary histories: any set of events, so gaps (dots) are common. */
    static Arbitrary<Set<Event>> histories() {
        return Combinators.combine(nodes(), Arbitraries.longs().between(1, MAX_COUNTER))
                .as(Event::new)
                .set()
                .ofMaxSize(16)
                .map(TreeSet::new);
    }

    static VersionVector plain(Map<Long, Long> entries) {
        Map<NodeId, Long> byNode = new HashMap<>();
        entries.forEach((node, counter) -> byNode.put(new NodeId(node), counter));
        return VersionVector.of(byNode);
    }

    /** Naive causality of two plain vectors, straight from the definition. */
    static Causality naiveCompare(Map<Long, Long> a, Map<Long, Long> b) {
        boolean less = false;
        boolean greater = false;
        Set<Long> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        for (long node : all) {
            long x = a.getOrDefault(node, 0L);
            long y = b.getOrDefault(node, 0L);
            less |= x < y;
            greater |= x > y;
        }
        if (less && greater) {
            return Causality.CONCURRENT;
        }
        return less ? Causality.BEFORE : greater ? Causality.AFTER : Causality.EQUAL;
    }

    /** Naive causality of two histories: set inclusion. */
    static Causality naiveCompare(Set<Event> a, Set<Event> b) {
        boolean aInB = b.containsAll(a);
        boolean bInA = a.containsAll(b);
        if (aInB && bInA) {
            return Causality.EQUAL;
        }
        return aInB ? Causality.BEFORE : bInA ? Causality.AFTER : Causality.CONCURRENT;
    }

    static Map<Long, Long> naiveMax(Map<Long, Long> a, Map<Long, Long> b) {
        Map<Long, Long> max = new HashMap<>(a);
        b.forEach((node, counter) -> max.merge(node, counter, Math::max));
        return max;
    }

    /**
     * The vector holding exactly {@code history}, built without VersionVector's own logic: the
     * canonical encoding is computed here and parsed by {@link VersionVector#readFrom}.
     */
    static VersionVector fromHistory(Set<Event> history) {
        TreeMap<Long, TreeSet<Long>> byNode = new TreeMap<>(Long::compareUnsigned);
        for (Event e : history) {
            byNode.computeIfAbsent(e.node(), n -> new TreeSet<>()).add(e.counter());
        }
        Map<Long, Long> contiguous = new TreeMap<>(Long::compareUnsigned);
        Set<Event> dots = new TreeSet<>();
        byNode.forEach((node, counters) -> {
            long c = 0;
            while (counters.contains(c + 1)) {
                c++;
            }
            if (c > 0) {
                contiguous.put(node, c);
            }
            for (long counter : counters.tailSet(c, false)) {
                dots.add(new Event(node, counter));
            }
        });
        ByteWriter out = new ByteWriter(16);
        out.writeVarLong(contiguous.size());
        contiguous.forEach((node, counter) -> out.writeLong(node).writeVarLong(counter));
        out.writeVarLong(dots.size());
        dots.forEach(d -> out.writeLong(d.node()).writeVarLong(d.counter()));
        ByteReader in = new ByteReader(out.toByteArray());
        VersionVector v = VersionVector.readFrom(in);
        if (in.remaining() != 0) {
            throw new AssertionError("readFrom left " + in.remaining() + " bytes");
        }
        return v;
    }

    /** The events of {@code v}, read through its accessors. */
    static Set<Event> historyOf(VersionVector v) {
        Set<Event> events = new TreeSet<>();
        for (int i = 0; i < v.size(); i++) {
            for (long c = 1; c <= v.counterAt(i); c++) {
                events.add(new Event(v.nodeAt(i).value(), c));
            }
        }
        for (int i = 0; i < v.dotCount(); i++) {
            events.add(new Event(v.dotNodeAt(i).value(), v.dotCounterAt(i)));
        }
        return events;
    }

    static byte[] encode(VersionVector v) {
        ByteWriter out = new ByteWriter(16);
        v.writeTo(out);
        return out.toByteArray();
    }

    static VersionVector decode(byte[] bytes) {
        ByteReader in = new ByteReader(bytes);
        VersionVector v = VersionVector.readFrom(in);
        if (in.remaining() != 0) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes");
        }
        return v;
    }
}
