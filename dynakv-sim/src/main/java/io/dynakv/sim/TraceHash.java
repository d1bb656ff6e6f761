package io.dynakv.sim;

import java.nio.charset.StandardCharsets;

/**
 * A running 64-bit FNV-1a hash of everything a run did, stable across JVMs (it hashes text, never
 * identity hash codes), so two runs of one seed can be compared by one number.
 */
public final class TraceHash {

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private long hash = OFFSET;
    private long entries;

    public void add(long value) {
        for (int i = 0; i < 8; i++) {
            hash ^= (value >>> (8 * i)) & 0xff;
            hash *= PRIME;
        }
        entries++;
    }

    public void add(String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= PRIME;
        }
        entries++;
    }

    public long value() {
        return hash;
    }

    public long entries() {
        return entries;
    }
}
