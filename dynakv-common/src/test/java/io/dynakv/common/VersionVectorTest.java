package io.dynakv.common;

import static io.dynakv.common.Vectors.Event;
import static io.dynakv.common.Vectors.decode;
import static io.dynakv.common.Vectors.encode;
import static io.dynakv.common.Vectors.fromHistory;
import static io.dynakv.common.Vectors.historyOf;
import static io.dynakv.common.Vectors.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Version vectors against naive models: a {@code Map<Long, Long>} for plain vectors and the set of
 * events for dotted ones (Dynamo paper, section 4.4; Preguica et al., dotted version vectors).
 */
class VersionVectorTest {

    private static final NodeId A = new NodeId(1);
    private static final NodeId B = new NodeId(2);

    @Provide
    Arbitrary<Map<Long, Long>> maps() {
        return Vectors.plainMaps();
    }

    @Provide
    Arbitrary<Set<Event>> histories() {
        return Vectors.histories();
    }

    @Provide
    Arbitrary<Long> nodes() {
        return Vectors.nodes();
    }

    // ---- plain vectors against Map<Long, Long> ----

    @Property
    void compareMatchesNaiveDefinition(@ForAll("maps") Map<Long, Long> a, @ForAll("maps") Map<Long, Long> b) {
        assertThat(plain(a).compare(plain(b))).isEqualTo(Vectors.naiveCompare(a, b));
    }

    @Property
    void mergeIsNaiveMax(@ForAll("maps") Map<Long, Long> a, @ForAll("maps") Map<Long, Long> b) {
        VersionVector merged = plain(a).merge(plain(b));
        assertThat(merged).isEqualTo(plain(Vectors.naiveMax(a, b)));
        assertThat(merged.descends(plain(a))).isTrue();
        assertThat(merged.descends(plain(b))).isTrue();
        assertThat(merged.dotCount()).isZero();
    }

    @Property
    void counterIsTheEntry(@ForAll("maps") Map<Long, Long> a, @ForAll("nodes") long node) {
        assertThat(plain(a).counter(new NodeId(node))).isEqualTo(a.getOrDefault(node, 0L));
    }

    @Property
    void entriesAreSortedUnsignedAndMatchTheMap(@ForAll("maps") Map<Long, Long> a) {
        VersionVector v = plain(a);
        assertThat(v.size()).isEqualTo(a.size());
        Map<Long, Long> back = new HashMap<>();
        for (int i = 0; i < v.size(); i++) {
            back.put(v.nodeAt(i).value(), v.counterAt(i));
            if (i > 0) {
                assertThat(v.nodeAt(i - 1)).isLessThan(v.nodeAt(i));
            }
        }
        assertThat(back).isEqualTo(a);
    }

    @Example
    void ofDropsZeroCountersAndRejectsNegativeOnes() {
        assertThat(VersionVector.of(Map.of(A, 0L))).isEqualTo(VersionVector.EMPTY);
        assertThat(VersionVector.of(Map.of(A, 0L)).isEmpty()).isTrue();
        assertThatThrownBy(() -> VersionVector.of(Map.of(A, -1L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.EMPTY.with(A, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- dotted vectors against their event sets ----

    @Property
    void historyModelRoundTrips(@ForAll("histories") Set<Event> h) {
        VersionVector v = fromHistory(h);
        assertThat(historyOf(v)).isEqualTo(h);
        assertThat(v.isEmpty()).isEqualTo(h.isEmpty());
    }

    @Property
    void containsAndCounterMatchTheHistory(@ForAll("histories") Set<Event> h, @ForAll("nodes") long node) {
        VersionVector v = fromHistory(h);
        long highest = 0;
        for (long c = 0; c <= Vectors.MAX_COUNTER + 1; c++) {
            boolean in = h.contains(new Event(node, c));
            assertThat(v.contains(new NodeId(node), c))
                    .as("event %d:%d", node, c)
                    .isEqualTo(in);
            highest = in ? c : highest;
        }
        assertThat(v.counter(new NodeId(node))).isEqualTo(highest);
    }

    @Property
    void compareIsSetInclusion(@ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b) {
        Causality expected = Vectors.naiveCompare(a, b);
        assertThat(fromHistory(a).compare(fromHistory(b))).isEqualTo(expected);
        assertThat(fromHistory(a).descends(fromHistory(b)))
                .isEqualTo(expected == Causality.AFTER || expected == Causality.EQUAL);
    }

    @Property
    void compareIsAntisymmetric(@ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b) {
        Causality ab = fromHistory(a).compare(fromHistory(b));
        Causality ba = fromHistory(b).compare(fromHistory(a));
        Causality mirrored =
                switch (ab) {
                    case BEFORE -> Causality.AFTER;
                    case AFTER -> Causality.BEFORE;
                    default -> ab;
                };
        assertThat(ba).isEqualTo(mirrored);
    }

    @Property
    void mergeIsUnion(@ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b) {
        Set<Event> union = new TreeSet<>(a);
        union.addAll(b);
        assertThat(fromHistory(a).merge(fromHistory(b))).isEqualTo(fromHistory(union));
    }

    @Property
    void mergeIsCommutativeAssociativeAndIdempotent(
            @ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b, @ForAll("histories") Set<Event> c) {
        VersionVector x = fromHistory(a);
        VersionVector y = fromHistory(b);
        VersionVector z = fromHistory(c);
        assertThat(x.merge(y)).isEqualTo(y.merge(x));
        assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
        assertThat(x.merge(x)).isEqualTo(x);
        assertThat(x.merge(VersionVector.EMPTY)).isEqualTo(x);
    }

    @Property
    void mergeIsTheLeastUpperBound(
            @ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b, @ForAll("histories") Set<Event> c) {
        VersionVector x = fromHistory(a);
        VersionVector y = fromHistory(b);
        VersionVector upper = fromHistory(c).merge(x).merge(y); // an arbitrary upper bound of both
        VersionVector lub = x.merge(y);
        assertThat(lub.descends(x)).isTrue();
        assertThat(lub.descends(y)).isTrue();
        assertThat(upper.descends(lub)).isTrue();
    }

    @Property
    void withDotAddsExactlyThatEvent(
            @ForAll("histories") Set<Event> h,
            @ForAll("nodes") long node,
            @ForAll @IntRange(min = 1, max = 12) int dot) {
        VersionVector v = fromHistory(h).withDot(new NodeId(node), dot);
        Set<Event> expected = new TreeSet<>(h);
        expected.add(new Event(node, dot));
        assertThat(historyOf(v)).isEqualTo(expected);
        assertThat(v).isEqualTo(fromHistory(expected));
        assertThat(v.descends(fromHistory(h))).isTrue();
    }

    @Property
    void includesEventsOfIsSubsetOfThatNodesEvents(
            @ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b, @ForAll("nodes") long node) {
        boolean naive = b.stream().filter(e -> e.node() == node).allMatch(a::contains);
        assertThat(fromHistory(a).includesEventsOf(fromHistory(b), new NodeId(node)))
                .isEqualTo(naive);
    }

    /** Two clients write blind through coordinator A: neither write may silently replace the other. */
    @Example
    void blindWritesThroughOneCoordinatorAreConcurrent() {
        VersionVector first = VersionVector.EMPTY.withDot(A, 1);
        assertThat(first).isEqualTo(VersionVector.of(Map.of(A, 1L)));
        VersionVector second = VersionVector.EMPTY.withDot(A, 2);
        assertThat(second.compare(first)).isEqualTo(Causality.CONCURRENT);
        assertThat(second.toString()).isEqualTo("{0000000000000001:2}");

        // A client that read both, then writes through B, supersedes both; the gap is closed.
        VersionVector both = first.merge(second);
        assertThat(both).isEqualTo(VersionVector.of(Map.of(A, 2L)));
        VersionVector third = both.withDot(B, 1);
        assertThat(third.compare(first)).isEqualTo(Causality.AFTER);
        assertThat(third.compare(second)).isEqualTo(Causality.AFTER);
        assertThat(third).isEqualTo(VersionVector.of(Map.of(A, 2L, B, 1L)));
    }

    @Example
    void withDotRejectsANonPositiveDot() {
        assertThatThrownBy(() -> VersionVector.EMPTY.withDot(A, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void withSetsTheNodesWritesToExactlyOneToCounter(
            @ForAll("histories") Set<Event> h,
            @ForAll("nodes") long node,
            @ForAll @IntRange(min = 1, max = 8) int counter) {
        VersionVector v = fromHistory(h).with(new NodeId(node), counter);
        Set<Event> expected = new TreeSet<>();
        h.stream().filter(e -> e.node() != node).forEach(expected::add);
        for (long c = 1; c <= counter; c++) {
            expected.add(new Event(node, c));
        }
        assertThat(historyOf(v)).isEqualTo(expected);
        assertThat(v).isEqualTo(fromHistory(expected));
    }

    @Example
    void tooManyDotsCollapseIntoAnEncodableUpperBound() {
        VersionVector v = VersionVector.EMPTY;
        for (int i = 1; i <= VersionVector.MAX_ENTRIES + 1; i++) {
            VersionVector single = VersionVector.EMPTY.withDot(A, 2L * i);
            VersionVector merged = v.merge(single);
            assertThat(merged.descends(v)).isTrue();
            assertThat(merged.descends(single)).isTrue();
            v = merged;
        }
        assertThat(v).isEqualTo(VersionVector.of(Map.of(A, 2L * (VersionVector.MAX_ENTRIES + 1))));
        assertThat(decode(encode(v))).isEqualTo(v);
    }

    /** Old vectors with an entry per boot can reach the bound; a new entry then drops the lowest. */
    @Example
    void aVectorPastItsBoundDropsItsLowestEntriesAndStaysEncodable() {
        Map<NodeId, Long> legacy = new HashMap<>();
        for (long i = 1; i <= VersionVector.MAX_ENTRIES; i++) {
            legacy.put(new NodeId(1000 + i), i);
        }
        VersionVector full = VersionVector.of(legacy);
        NodeId fresh = new NodeId(7);
        VersionVector next = full.with(fresh, 2);

        assertThat(next.size()).isEqualTo(VersionVector.MAX_ENTRIES);
        assertThat(next.counter(new NodeId(1001)))
                .as("the lowest entry is dropped")
                .isZero();
        assertThat(next.counter(fresh)).isEqualTo(2);
        assertThat(next.compare(full)).as("pruning only under-claims").isEqualTo(Causality.CONCURRENT);
        assertThat(decode(encode(next))).isEqualTo(next);
        assertThat(full.merge(next)).as("merging prunes alike").isEqualTo(next.merge(full));
    }

    // ---- encoding ----

    @Property
    void encodingRoundTrips(@ForAll("histories") Set<Event> h) {
        VersionVector v = fromHistory(h);
        assertThat(decode(encode(v))).isEqualTo(v);
    }

    @Property
    void encodingRoundTripsAnyIdsAndCounters(
            @ForAll @Size(max = 20) Map<Long, @net.jqwik.api.constraints.LongRange(min = 1) Long> entries,
            @ForAll long coordinator,
            @ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = Long.MAX_VALUE - 1) long issued) {
        VersionVector v = plain(entries);
        assertThat(decode(encode(v))).isEqualTo(v);
        Assume.that(v.counter(new NodeId(coordinator)) < Long.MAX_VALUE);
        VersionVector dotted =
                v.withDot(new NodeId(coordinator), Math.max(v.counter(new NodeId(coordinator)), issued) + 1);
        assertThat(decode(encode(dotted))).isEqualTo(dotted);
    }

    @Property
    void equalsAndHashCodeAgreeWithEncoding(@ForAll("histories") Set<Event> a, @ForAll("histories") Set<Event> b) {
        VersionVector x = fromHistory(a);
        VersionVector y = fromHistory(b);
        boolean sameBytes = Arrays.equals(encode(x), encode(y));
        assertThat(x.equals(y)).isEqualTo(sameBytes).isEqualTo(a.equals(b));
        assertThat(x.compare(y) == Causality.EQUAL).isEqualTo(sameBytes);
        if (sameBytes) {
            assertThat(x.hashCode()).isEqualTo(y.hashCode());
        }
    }

    @Property
    void everyTruncationIsRejected(@ForAll("histories") Set<Event> h) {
        byte[] bytes = encode(fromHistory(h));
        for (int len = 0; len < bytes.length; len++) {
            byte[] prefix = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> VersionVector.readFrom(new ByteReader(prefix)))
                    .as("prefix of %d bytes", len)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Whatever the bytes, readFrom either rejects them with IAE or accepts a canonical encoding. */
    @Property(tries = 3000)
    void arbitraryBytesAreRejectedOrCanonical(@ForAll @Size(max = 80) byte[] bytes) {
        checkRejectedOrCanonical(bytes);
    }

    @Property(tries = 3000)
    void mutatedEncodingsAreRejectedOrCanonical(
            @ForAll("histories") Set<Event> h,
            @ForAll @IntRange(min = 0, max = 200) int at,
            @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 2) int mutation) {
        byte[] bytes = encode(fromHistory(h));
        int i = at % bytes.length;
        byte[] mutated;
        if (mutation == 0) {
            mutated = bytes.clone();
            mutated[i] = value;
        } else if (mutation == 1) {
            mutated = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, mutated, 0, i);
            mutated[i] = value;
            System.arraycopy(bytes, i, mutated, i + 1, bytes.length - i);
        } else {
            mutated = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, mutated, 0, i);
            System.arraycopy(bytes, i + 1, mutated, i, bytes.length - i - 1);
        }
        checkRejectedOrCanonical(mutated);
    }

    private static void checkRejectedOrCanonical(byte[] bytes) {
        ByteReader in = new ByteReader(bytes);
        VersionVector v;
        try {
            v = VersionVector.readFrom(in);
        } catch (IllegalArgumentException expected) {
            return;
        }
        byte[] consumed = Arrays.copyOf(bytes, bytes.length - in.remaining());
        assertThat(encode(v)).isEqualTo(consumed);
    }

    @Example
    void readFromRejectsMalformedVectors() {
        // Each case: a description and the encoded vector.
        Map<String, ByteWriter> cases = new java.util.LinkedHashMap<>();
        cases.put(
                "unsorted entries",
                w().writeVarLong(2).writeLong(2).writeVarLong(1).writeLong(1).writeVarLong(1));
        cases.put(
                "entries sorted signed, not unsigned",
                w().writeVarLong(2).writeLong(-1).writeVarLong(1).writeLong(1).writeVarLong(1));
        cases.put(
                "duplicate entries",
                w().writeVarLong(2).writeLong(1).writeVarLong(1).writeLong(1).writeVarLong(2));
        cases.put(
                "zero counter", w().writeVarLong(1).writeLong(1).writeVarLong(0).writeVarLong(0));
        cases.put(
                "negative counter",
                w().writeVarLong(1).writeLong(1).writeVarLong(-1).writeVarLong(0));
        cases.put("too many entries", w().writeVarLong(VersionVector.MAX_ENTRIES + 1));
        cases.put("huge entry count", w().writeVarLong(Long.MAX_VALUE));
        cases.put("negative entry count", w().writeVarLong(-1));
        cases.put("too many dots", w().writeVarLong(0).writeVarLong(VersionVector.MAX_ENTRIES + 1));
        cases.put(
                "dot next to its counter",
                w().writeVarLong(1)
                        .writeLong(1)
                        .writeVarLong(1)
                        .writeVarLong(1)
                        .writeLong(1)
                        .writeVarLong(2));
        cases.put(
                "dot under its counter",
                w().writeVarLong(1)
                        .writeLong(1)
                        .writeVarLong(3)
                        .writeVarLong(1)
                        .writeLong(1)
                        .writeVarLong(2));
        cases.put(
                "dot 1 with no counter",
                w().writeVarLong(0).writeVarLong(1).writeLong(1).writeVarLong(1));
        cases.put("zero dot", w().writeVarLong(0).writeVarLong(1).writeLong(1).writeVarLong(0));
        cases.put(
                "unsorted dots",
                w().writeVarLong(0)
                        .writeVarLong(2)
                        .writeLong(1)
                        .writeVarLong(5)
                        .writeLong(1)
                        .writeVarLong(3));
        cases.put(
                "duplicate dots",
                w().writeVarLong(0)
                        .writeVarLong(2)
                        .writeLong(1)
                        .writeVarLong(3)
                        .writeLong(1)
                        .writeVarLong(3));
        cases.put("no dot count", w().writeVarLong(1).writeLong(1).writeVarLong(1));
        cases.put("empty input", w());
        cases.forEach(
                (what, bytes) -> assertThatThrownBy(() -> VersionVector.readFrom(new ByteReader(bytes.toByteArray())))
                        .as(what)
                        .isInstanceOf(IllegalArgumentException.class));
        byte[] overlongCount = {(byte) 0x80, 0x00, 0x00};
        assertThatThrownBy(() -> VersionVector.readFrom(new ByteReader(overlongCount)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void wellFormedDottedVectorParses() {
        byte[] bytes = w().writeVarLong(1)
                .writeLong(1)
                .writeVarLong(1)
                .writeVarLong(1)
                .writeLong(1)
                .writeVarLong(3)
                .toByteArray();
        VersionVector v = decode(bytes);
        assertThat(v.contains(A, 1)).isTrue();
        assertThat(v.contains(A, 2)).isFalse();
        assertThat(v.contains(A, 3)).isTrue();
        assertThat(v.counter(A)).isEqualTo(3);
        assertThat(v.toString()).isEqualTo("{0000000000000001=1, 0000000000000001:3}");
    }

    private static ByteWriter w() {
        return new ByteWriter(16);
    }
}
