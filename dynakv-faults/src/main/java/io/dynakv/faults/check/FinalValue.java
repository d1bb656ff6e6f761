package io.dynakv.faults.check;

/**
 * A key's state once the cluster healed and converged: present with a value, or absent (never
 * written, or deleted).
 *
 * @param key the key
 * @param value the value read; null when absent
 */
public record FinalValue(String key, String value) {

    public static FinalValue absent(String key) {
        return new FinalValue(key, null);
    }

    public boolean present() {
        return value != null;
    }
}
