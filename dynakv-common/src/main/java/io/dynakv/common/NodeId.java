package io.dynakv.common;

import java.util.Locale;

/**
 * A node's permanent identity: a random 64-bit number chosen at first start and kept in the node's
 * metadata, so a node that changes address is still the same writer in every version vector.
 */
public record NodeId(long value) implements Comparable<NodeId> {

    @Override
    public int compareTo(NodeId other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%016x", value);
    }

    public static NodeId parse(String hex) {
        return new NodeId(Long.parseUnsignedLong(hex, 16));
    }
}
