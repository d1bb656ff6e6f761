package io.dynakv.faults.check;

/**
 * A key's state once the cluster healed and converged: present with a value, absent (never
 * written, or deleted), or unreadable (the final read failed, so no checker can judge the key).
 *
 * @param key the key
 * @param value the value read; null when absent or unreadable
 * @param unreadable why the final read failed; null when it succeeded
 */
public record FinalValue(String key, String value, String unreadable) {

    public FinalValue(String key, String value) {
        this(key, value, null);
    }

    public static FinalValue absent(String key) {
        return new FinalValue(key, null, null);
    }

    public static FinalValue unreadable(String key, String why) {
        return new FinalValue(key, null, why);
    }

    public boolean readable() {
        return unreadable == null;
    }

    public boolean present() {
        return value != null;
    }
}
