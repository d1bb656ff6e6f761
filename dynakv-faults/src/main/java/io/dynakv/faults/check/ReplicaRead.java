package io.dynakv.faults.check;

/**
 * What one node itself holds for a key ({@code GET /key/{k}?local=true}): no other replica asked,
 * nothing repaired.
 *
 * @param key the key
 * @param node the node asked ({@code host:port})
 * @param replica whether the node says it is in the key's preference list ({@code X-DynaKV-Replica})
 * @param status 200 (present), 404 (absent or deleted), another status, or -1 when it did not answer
 * @param version the version of a 200; null otherwise
 * @param value the value of a 200; null otherwise
 */
public record ReplicaRead(String key, String node, boolean replica, int status, String version, String value) {

    /** What replicas must agree on: the version when present, "absent" when not, else the failure. */
    String state() {
        return switch (status) {
            case 200 -> "version " + version;
            case 404 -> "absent";
            default -> "status " + status;
        };
    }
}
