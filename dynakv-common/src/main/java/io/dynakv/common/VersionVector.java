package io.dynakv.common;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable version vector: for each node that coordinated a write in a value's history, how
 * many of its writes that history contains (Dynamo paper, section 4.4). Entries are kept sorted by
 * node id in two parallel arrays, so comparison and merge are linear scans with no allocation per
 * entry and the encoding is canonical (equal vectors encode to equal bytes).
 *
 * <p>New writes are minted as "dots" (Preguica et al., dotted version vectors): the coordinator
 * takes the client's causal context and sets its own entry to one past anything it has issued for
 * the key, see {@link #withDot}. That keeps concurrent writes through one coordinator distinct.
 */
public final class VersionVector {

    public static final VersionVector EMPTY = new VersionVector(new long[0], new long[0]);

    /** Bounded so that a hostile context token cannot make a huge vector; far above any cluster. */
    public static final int MAX_ENTRIES = 1024;

    private final long[] nodes;
    private final long[] counters;

    private VersionVector(long[] nodes, long[] counters) {
        this.nodes = nodes;
        this.counters = counters;
    }

    /** Builds a vector from a map; zero counters are dropped, as they say nothing. */
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
        return new VersionVector(nodes, counters);
    }

    public int size() {
        return nodes.length;
    }

    public boolean isEmpty() {
        return nodes.length == 0;
    }

    /** The counter of {@code node}, zero when the node never wrote in this history. */
    public long counter(NodeId node) {
        int i = indexOf(node.value());
        return i >= 0 ? counters[i] : 0;
    }

    public NodeId nodeAt(int index) {
        return new NodeId(nodes[index]);
    }

    public long counterAt(int index) {
        return counters[index];
    }

    /**
     * The version of a new write by {@code coordinator} whose causal context is this vector: its
     * own entry becomes one past both this vector's and {@code issuedBefore}'s entry for it (the
     * latter is what the coordinator already stored for the key, so the dot is never reused).
     */
    public VersionVector withDot(NodeId coordinator, VersionVector issuedBefore) {
        long next = Math.max(counter(coordinator), issuedBefore.counter(coordinator)) + 1;
        return with(coordinator, next);
    }

    /** A copy with {@code node}'s counter set to {@code counter}. */
    public VersionVector with(NodeId node, long counter) {
        if (counter <= 0) {
            throw new IllegalArgumentException("counter must be positive: " + counter);
        }
        int i = indexOf(node.value());
        if (i >= 0) {
            long[] c = counters.clone();
            c[i] = counter;
            return new VersionVector(nodes, c);
        }
        int at = -i - 1;
        long[] n = new long[nodes.length + 1];
        long[] c = new long[nodes.length + 1];
        System.arraycopy(nodes, 0, n, 0, at);
        System.arraycopy(counters, 0, c, 0, at);
        n[at] = node.value();
        c[at] = counter;
        System.arraycopy(nodes, at, n, at + 1, nodes.length - at);
        System.arraycopy(counters, at, c, at + 1, nodes.length - at);
        return new VersionVector(n, c);
    }

    /** The least upper bound: every entry at the larger of the two counters. */
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
        return new VersionVector(Arrays.copyOf(n, k), Arrays.copyOf(c, k));
    }

    /** How this vector relates to {@code other} in the happened-before order. */
    public Causality compare(VersionVector other) {
        boolean someLess = false;
        boolean someGreater = false;
        int i = 0;
        int j = 0;
        while (i < nodes.length || j < other.nodes.length) {
            int cmp = i == nodes.length
                    ? 1
                    : j == other.nodes.length ? -1 : Long.compareUnsigned(nodes[i], other.nodes[j]);
            if (cmp < 0) {
                someGreater = true;
                i++;
            } else if (cmp > 0) {
                someLess = true;
                j++;
            } else {
                someGreater |= counters[i] > other.counters[j];
                someLess |= counters[i] < other.counters[j];
                i++;
                j++;
            }
        }
        if (someLess && someGreater) {
            return Causality.CONCURRENT;
        }
        return someLess ? Causality.BEFORE : someGreater ? Causality.AFTER : Causality.EQUAL;
    }

    /** True when this history contains all of {@code other}'s (AFTER or EQUAL). */
    public boolean descends(VersionVector other) {
        Causality c = compare(other);
        return c == Causality.AFTER || c == Causality.EQUAL;
    }

    public void writeTo(ByteWriter out) {
        out.writeVarLong(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            out.writeLong(nodes[i]);
            out.writeVarLong(counters[i]);
        }
    }

    /** Reads a vector written by {@link #writeTo}; rejects unsorted, duplicate or zero entries. */
    public static VersionVector readFrom(ByteReader in) {
        long size = in.readVarLong();
        if (size < 0 || size > MAX_ENTRIES) {
            throw new IllegalArgumentException("version vector has " + size + " entries");
        }
        long[] n = new long[(int) size];
        long[] c = new long[(int) size];
        for (int i = 0; i < size; i++) {
            n[i] = in.readLong();
            c[i] = in.readVarLong();
            if (c[i] <= 0) {
                throw new IllegalArgumentException("version vector counter must be positive");
            }
            if (i > 0 && Long.compareUnsigned(n[i - 1], n[i]) >= 0) {
                throw new IllegalArgumentException("version vector entries out of order");
            }
        }
        return new VersionVector(n, c);
    }

    private int indexOf(long node) {
        int lo = 0;
        int hi = nodes.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = Long.compareUnsigned(nodes[mid], node);
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

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && Arrays.equals(nodes, v.nodes) && Arrays.equals(counters, v.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nodes) + Arrays.hashCode(counters);
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
        return sb.append('}').toString();
    }
}
