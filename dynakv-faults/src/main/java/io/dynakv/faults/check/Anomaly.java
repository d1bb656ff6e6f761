package io.dynakv.faults.check;

/**
 * Something a checker found wrong, with the evidence a person needs to look it up in the history
 * file.
 *
 * @param kind lost, resurrected, phantom, diverged or unverified
 * @param key the key
 * @param evidence the operations, values and versions involved
 */
public record Anomaly(Kind kind, String key, String evidence) {

    /** The kinds of anomaly, one per checker that can fail. */
    public enum Kind {
        LOST,
        RESURRECTED,
        PHANTOM,
        DIVERGED,
        /** The key's final state could not be read (a 503 or no answer after the heal): nothing is proven. */
        UNVERIFIED
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + key + ": " + evidence;
    }
}
