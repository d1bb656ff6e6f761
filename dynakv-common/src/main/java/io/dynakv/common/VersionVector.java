package io.dynakv.common;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable dotted version vector: the set of writes (events) in a value's causal history
 * (Dynamo paper, section 4.4; Preguica et al., "Dotted Version Vectors"). An event is a pair
 * (coordinator, counter): the coordinator's counter-th write of the key.
 *
 * <p>The history is kept as a version vector, for each node the contiguous events 1..n, plus a
 * sorted set of <em>dots</em>: single events beyond a gap, such as a write minted from a context
 * that did not include the coordinator's earlier writes, see {@link #withDot}. Without the dots a
 * new write by coordinator A at counter 2 would claim A's first write too, so two clients writing
 * blind through the same coordinator would silently supersede each other instead of being found
 * concurrent. Comparison and merge are exact set inclusion and set union on these histories.
 *
 * <p>The representation is canonical: no dot is at or below its node's contiguous counter or just
 * after it (such a dot is absorbed into the counter), both arrays are sorted by unsigned node id,
 * so equal histories are equal objects and encode to equal bytes.
 */
public final class VersionVector {

    public static final VersionVector EMPTY = new VersionVector(new long[0], new long[0], new long[0], new long[0]);

    /**
     * Bounded so that a hostile context token cannot make a huge vector; far above any cluster.
     * Bounds the contiguous entries and, separately, the dots. A vector that would grow past it
     * drops its lowest entries instead (see {@link #bounded}), so a key never becomes unwritable.
     */
    public static final int MAX_ENTRIES = 1024;

    /** Contiguous part: node ids (sorted unsigned, distinct) and their counters (all positive). */
    private final long[] nodes;

    private final long[] counters;

    /** Dots: sorted by (unsigned node, counter); each counter exceeds its node's counter + 1. */
    private final long[] dotNodes;

    private final long[] dotCounters;

    private VersionVector(long[] nodes, long[] counters, long[] dotNodes, long[] dotCounters) {
        this.nodes = nodes;
        this.counters = counters;
        this.dotNodes = dotNodes;
        this.dotCounters = dotCounters;
    }

    /** Builds a plain vector (no dots) from a map; zero counters are dropped, as they say nothing. */
    public static VersionVector of(Map<NodeId, Long> entries) {
        TreeMap<NodeId, Long> sorted = new TreeMap<>(entries);
        sorted.values().removeIf(counter -> counter == 0);
        long[] nodes = new long[sorted.size()];
        long[] counters = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<NodeId, Long> e : sorted.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("negative counter for " + e.getKey());
            }
            nodes[i] = e.getKey().value();
            counters[i] = e.getValue();
            i++;
        }
        return bounded(nodes, counters, EMPTY.dotNodes, EMPTY.dotCounters);
    }

    /** The number of contiguous entries (nodes with a counter), not counting dots. */
    public int size() {
        return nodes.length;
    }

    /** True when the history holds no event at all. */
    public boolean isEmpty() {
        return nodes.length == 0 && dotNodes.length == 0;
    }

    /**
     * The highest counter of {@code node}'s writes in this history, dot or contiguous; zero when the
     * node never wrote in it. For a vector without dots this is the node's entry.
     */
    public long counter(NodeId node) {
        long highest = contiguous(node.value());
        int d = lastDotOf(node.value());
        return d >= 0 ? Math.max(highest, dotCounters[d]) : highest;
    }

    /** True when the history contains {@code node}'s write number {@code counter}. */
    public boolean contains(NodeId node, long counter) {
        if (counter <= 0) {
            return false;
        }
        return counter <= contiguous(node.value()) || indexOfDot(node.value(), counter) >= 0;
    }

    /** The node of contiguous entry {@code index}, in unsigned node order. */
    public NodeId nodeAt(int index) {
        return new NodeId(nodes[index]);
    }

    /** The counter of contiguous entry {@code index}: that node's writes 1..counter are included. */
    public long counterAt(int index) {
        return counters[index];
    }

    /** The number of dots: events beyond a gap in their node's contiguous counter. */
    public int dotCount() {
        return dotNodes.length;
    }

    public NodeId dotNodeAt(int index) {
        return new NodeId(dotNodes[index]);
    }

    public long dotCounterAt(int index) {
        return dotCounters[index];
    }

    /**
     * This history plus one event: {@code actor}'s write numbered {@code dot}, kept as a dot beyond
     * a gap unless it directly follows the actor's contiguous counter. The version of a write whose
     * context does not include everything its coordinator holds for the key: it must stay
     * concurrent with what it missed.
     */
    public VersionVector withDot(NodeId actor, long dot) {
        if (dot <= 0) {
            throw new IllegalArgumentException("dot must be positive: " + dot);
        }
        if (contains(actor, dot)) {
            return this;
        }
        long[] dn = Arrays.copyOf(dotNodes, dotNodes.length + 1);
        long[] dc = Arrays.copyOf(dotCounters, dotCounters.length + 1);
        int at = dotInsertionPoint(actor.value(), dot);
        System.arraycopy(dotNodes, at, dn, at + 1, dotNodes.length - at);
        System.arraycopy(dotCounters, at, dc, at + 1, dotCounters.length - at);
        dn[at] = actor.value();
        dc[at] = dot;
        return normalize(nodes, counters, nodes.length, dn, dc, dn.length);
    }

    /** True when every event of {@code node} in {@code other}'s history is in this one. */
    public boolean includesEventsOf(VersionVector other, NodeId node) {
        long theirs = other.contiguous(node.value());
        if (theirs > contiguous(node.value())) {
            return false; // this history's dots sit beyond a gap, so they cannot fill 1..theirs
        }
        int d = other.dotInsertionPoint(node.value(), 0);
        for (; d < other.dotNodes.length && other.dotNodes[d] == node.value(); d++) {
            if (!contains(node, other.dotCounters[d])) {
                return false;
            }
        }
        return true;
    }

    /** A copy in which {@code node}'s writes are exactly 1..{@code counter} (its dots dropped). */
    public VersionVector with(NodeId node, long counter) {
        if (counter <= 0) {
            throw new IllegalArgumentException("counter must be positive: " + counter);
        }
        long[] n;
        long[] c;
        int i = indexOf(node.value());
        if (i >= 0) {
            n = nodes;
            c = counters.clone();
            c[i] = counter;
        } else {
            int at = -i - 1;
            n = new long[nodes.length + 1];
            c = new long[nodes.length + 1];
            System.arraycopy(nodes, 0, n, 0, at);
            System.arraycopy(counters, 0, c, 0, at);
            n[at] = node.value();
            c[at] = counter;
            System.arraycopy(nodes, at, n, at + 1, nodes.length - at);
            System.arraycopy(counters, at, c, at + 1, nodes.length - at);
        }
        long[] dn = new long[dotNodes.length];
        long[] dc = new long[dotNodes.length];
        int k = 0;
        for (int d = 0; d < dotNodes.length; d++) {
            if (dotNodes[d] != node.value()) {
                dn[k] = dotNodes[d];
                dc[k++] = dotCounters[d];
            }
        }
        return bounded(n, c, Arrays.copyOf(dn, k), Arrays.copyOf(dc, k));
    }

    /** The least upper bound: the union of the two histories. */
    public VersionVector merge(VersionVector other) {
        long[] n = new long[nodes.length + other.nodes.length];
        long[] c = new long[n.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < nodes.length || j < other.nodes.length) {
            int cmp = i == nodes.length
                    ? 1
                    : j == other.nodes.length ? -1 : Long.compareUnsigned(nodes[i], other.nodes[j]);
            if (cmp < 0) {
                n[k] = nodes[i];
                c[k++] = counters[i++];
            } else if (cmp > 0) {
                n[k] = other.nodes[j];
                c[k++] = other.counters[j++];
            } else {
                n[k] = nodes[i];
                c[k++] = Math.max(counters[i++], other.counters[j++]);
            }
        }
        if (dotNodes.length == 0 && other.dotNodes.length == 0) {
            return bounded(Arrays.copyOf(n, k), Arrays.copyOf(c, k), dotNodes, dotCounters);
        }
        long[] dn = new long[dotNodes.length + other.dotNodes.length];
        long[] dc = new long[dn.length];
        i = 0;
        j = 0;
        int m = 0;
        while (i < dotNodes.length || j < other.dotNodes.length) {
            int cmp = i == dotNodes.length
                    ? 1
                    : j == other.dotNodes.length
                            ? -1
                            : compareDots(dotNodes[i], dotCounters[i], other.dotNodes[j], other.dotCounters[j]);
            if (cmp <= 0) {
                dn[m] = dotNodes[i];
                dc[m++] = dotCounters[i++];
                j += cmp == 0 ? 1 : 0;
            } else {
                dn[m] = other.dotNodes[j];
                dc[m++] = other.dotCounters[j++];
            }
        }
        return normalize(n, c, k, dn, dc, m);
    }

    /** How this vector relates to {@code other} in the happened-before order. */
    public Causality compare(VersionVector other) {
        boolean thisIncluded = includedIn(other);
        boolean otherIncluded = other.includedIn(this);
        if (thisIncluded && otherIncluded) {
            return Causality.EQUAL;
        }
        return thisIncluded ? Causality.BEFORE : otherIncluded ? Causality.AFTER : Causality.CONCURRENT;
    }

    /** True when this history contains all of {@code other}'s (AFTER or EQUAL). */
    public boolean descends(VersionVector other) {
        return other.includedIn(this);
    }

    public void writeTo(ByteWriter out) {
        if (nodes.length > MAX_ENTRIES || dotNodes.length > MAX_ENTRIES) {
            // readFrom would reject it: fail before writing a record nobody can read back.
            throw new IllegalStateException("version vector too large to encode: " + this);
        }
        out.writeVarLong(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            out.writeLong(nodes[i]);
            out.writeVarLong(counters[i]);
        }
        out.writeVarLong(dotNodes.length);
        for (int i = 0; i < dotNodes.length; i++) {
            out.writeLong(dotNodes[i]);
            out.writeVarLong(dotCounters[i]);
        }
    }

    /**
     * Reads a vector written by {@link #writeTo}: {@code [n]([node:8][counter])*n [d]([node:8]
     * [counter])*d}. Accepts only the canonical form, so rejects unsorted, duplicate, zero or
     * oversized entries and dots that should have been absorbed.
     */
    public static VersionVector readFrom(ByteReader in) {
        long[] n = new long[readCount(in, "entries")];
        long[] c = new long[n.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = in.readLong();
            c[i] = readCounter(in);
            if (i > 0 && Long.compareUnsigned(n[i - 1], n[i]) >= 0) {
                throw new IllegalArgumentException("version vector entries out of order");
            }
        }
        long[] dn = new long[readCount(in, "dots")];
        long[] dc = new long[dn.length];
        int base = 0;
        for (int i = 0; i < dn.length; i++) {
            dn[i] = in.readLong();
            dc[i] = readCounter(in);
            if (i > 0 && compareDots(dn[i - 1], dc[i - 1], dn[i], dc[i]) >= 0) {
                throw new IllegalArgumentException("version vector dots out of order");
            }
            while (base < n.length && Long.compareUnsigned(n[base], dn[i]) < 0) {
                base++;
            }
            long contiguous = base < n.length && n[base] == dn[i] ? c[base] : 0;
            if (dc[i] <= contiguous + 1) {
                throw new IllegalArgumentException("version vector dot is not beyond a gap");
            }
        }
        return new VersionVector(n, c, dn, dc);
    }

    private static int readCount(ByteReader in, String what) {
        long count = in.readVarLong();
        if (count < 0 || count > MAX_ENTRIES) {
            throw new IllegalArgumentException("version vector has " + count + " " + what);
        }
        return (int) count;
    }

    private static long readCounter(ByteReader in) {
        long counter = in.readVarLong();
        if (counter <= 0) {
            throw new IllegalArgumentException("version vector counter must be positive");
        }
        return counter;
    }

    /** True when every event of this history is in {@code other}'s. */
    private boolean includedIn(VersionVector other) {
        int j = 0;
        for (int i = 0; i < nodes.length; i++) {
            while (j < other.nodes.length && Long.compareUnsigned(other.nodes[j], nodes[i]) < 0) {
                j++;
            }
            // other's dots never sit just after its contiguous counter, so they cannot fill the gap.
            if (j == other.nodes.length || other.nodes[j] != nodes[i] || other.counters[j] < counters[i]) {
                return false;
            }
        }
        for (int d = 0; d < dotNodes.length; d++) {
            if (dotCounters[d] > other.contiguous(dotNodes[d]) && other.indexOfDot(dotNodes[d], dotCounters[d]) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The canonical vector for contiguous entries {@code n/c} (sorted, as merged) and dots
     * {@code dn/dc} (sorted, distinct, possibly covered by or adjacent to the counters).
     */
    private static VersionVector normalize(long[] n, long[] c, int len, long[] dn, long[] dc, int dlen) {
        long[] outN = new long[len + dlen];
        long[] outC = new long[outN.length];
        long[] outDn = new long[dlen];
        long[] outDc = new long[dlen];
        int k = 0;
        int m = 0;
        int i = 0;
        int d = 0;
        while (i < len || d < dlen) {
            long node = d == dlen || (i < len && Long.compareUnsigned(n[i], dn[d]) <= 0) ? n[i] : dn[d];
            long contiguous = 0;
            if (i < len && n[i] == node) {
                contiguous = c[i++];
            }
            for (; d < dlen && dn[d] == node; d++) {
                if (dc[d] == contiguous + 1) {
                    contiguous++;
                } else if (dc[d] > contiguous) {
                    outDn[m] = node;
                    outDc[m++] = dc[d];
                }
            }
            if (contiguous > 0) {
                outN[k] = node;
                outC[k++] = contiguous;
            }
        }
        if (m > MAX_ENTRIES) {
            return collapse(Arrays.copyOf(outN, k), Arrays.copyOf(outC, k), Arrays.copyOf(outDn, m), outDc);
        }
        return bounded(
                Arrays.copyOf(outN, k), Arrays.copyOf(outC, k), Arrays.copyOf(outDn, m), Arrays.copyOf(outDc, m));
    }

    /**
     * The vector with at most {@link #MAX_ENTRIES} contiguous entries: beyond that, the entries
     * with the lowest counters (then the lowest node ids) are dropped with their dots. This is
     * Dynamo's clock truncation (section 4.4), made a deterministic part of the canonical form so
     * every replica's merge prunes alike. It only removes claims: a pruned version may look
     * concurrent with an older one (resolved by the higher HLC, which is the newer version's), but
     * never equal to or newer than a write whose event it does not hold, so no write is taken as
     * already known. A coordinator keeps its own new event by minting it above the lowest counter.
     */
    private static VersionVector bounded(long[] n, long[] c, long[] dn, long[] dc) {
        if (n.length <= MAX_ENTRIES) {
            return new VersionVector(n, c, dn, dc);
        }
        Integer[] byRank = new Integer[n.length];
        for (int i = 0; i < n.length; i++) {
            byRank[i] = i;
        }
        Arrays.sort(byRank, (x, y) -> c[x] != c[y] ? Long.compare(c[x], c[y]) : Long.compareUnsigned(n[x], n[y]));
        boolean[] dropped = new boolean[n.length];
        for (int r = 0; r < n.length - MAX_ENTRIES; r++) {
            dropped[byRank[r]] = true;
        }
        long[] keptN = new long[MAX_ENTRIES];
        long[] keptC = new long[MAX_ENTRIES];
        int k = 0;
        for (int i = 0; i < n.length; i++) {
            if (!dropped[i]) {
                keptN[k] = n[i];
                keptC[k++] = c[i];
            }
        }
        long[] keptDn = new long[dn.length];
        long[] keptDc = new long[dn.length];
        int m = 0;
        for (int d = 0; d < dn.length; d++) {
            int at = indexOf(n, dn[d]);
            if (at < 0 || !dropped[at]) {
                keptDn[m] = dn[d];
                keptDc[m++] = dc[d];
            }
        }
        return new VersionVector(keptN, keptC, Arrays.copyOf(keptDn, m), Arrays.copyOf(keptDc, m));
    }

    /**
     * Folds every dot into its node's counter, keeping the vector encodable when more than
     * {@link #MAX_ENTRIES} gaps pile up (never in practice: a gap lasts until the missing write
     * arrives). This over-approximates the history by writes the same coordinator issued before a
     * dot it holds, hence with a lower HLC, so they could not have won a conflict resolution anyway.
     */
    private static VersionVector collapse(long[] n, long[] c, long[] dn, long[] dc) {
        VersionVector plain = new VersionVector(n, c, EMPTY.dotNodes, EMPTY.dotCounters);
        for (int d = 0; d < dn.length; d++) {
            NodeId node = new NodeId(dn[d]);
            plain = plain.with(node, Math.max(plain.contiguous(dn[d]), dc[d]));
        }
        return plain;
    }

    private static int compareDots(long nodeA, long counterA, long nodeB, long counterB) {
        int cmp = Long.compareUnsigned(nodeA, nodeB);
        return cmp != 0 ? cmp : Long.compare(counterA, counterB);
    }

    private long contiguous(long node) {
        int i = indexOf(node);
        return i >= 0 ? counters[i] : 0;
    }

    private int indexOf(long node) {
        return indexOf(nodes, node);
    }

    /** Index of {@code node} in {@code sorted} (unsigned order), or -(insertion point + 1). */
    private static int indexOf(long[] sorted, long node) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = Long.compareUnsigned(sorted[mid], node);
            if (cmp < 0) {
                lo = mid + 1;
            } else if (cmp > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** Index of dot (node, counter), or -(insertion point + 1). */
    private int indexOfDot(long node, long counter) {
        int lo = 0;
        int hi = dotNodes.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = compareDots(dotNodes[mid], dotCounters[mid], node, counter);
            if (cmp < 0) {
                lo = mid + 1;
            } else if (cmp > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private int dotInsertionPoint(long node, long counter) {
        int i = indexOfDot(node, counter);
        return i >= 0 ? i : -i - 1;
    }

    /** Index of {@code node}'s highest dot, or -1 when it has none. */
    private int lastDotOf(long node) {
        int after = dotInsertionPoint(node, Long.MAX_VALUE);
        if (after < dotNodes.length && dotNodes[after] == node) {
            return after; // the dot (node, Long.MAX_VALUE) itself
        }
        return after > 0 && dotNodes[after - 1] == node ? after - 1 : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v
                && Arrays.equals(nodes, v.nodes)
                && Arrays.equals(counters, v.counters)
                && Arrays.equals(dotNodes, v.dotNodes)
                && Arrays.equals(dotCounters, v.dotCounters);
    }

    @Override
    public int hashCode() {
        int h = 31 * Arrays.hashCode(nodes) + Arrays.hashCode(counters);
        return dotNodes.length == 0 ? h : 31 * (31 * h + Arrays.hashCode(dotNodes)) + Arrays.hashCode(dotCounters);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < nodes.length; i++) {
            sb.append(i == 0 ? "" : ", ")
                    .append(new NodeId(nodes[i]))
                    .append('=')
                    .append(counters[i]);
        }
        for (int i = 0; i < dotNodes.length; i++) {
            sb.append(i == 0 && nodes.length == 0 ? "" : ", ")
                    .append(new NodeId(dotNodes[i]))
                    .append(':')
                    .append(dotCounters[i]);
        }
        return sb.append('}').toString();
    }
}
