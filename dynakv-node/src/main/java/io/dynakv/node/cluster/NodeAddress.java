package io.dynakv.node.cluster;

import io.dynakv.node.HostPort;

/**
 * Where a node is reached: its HTTP address (clients, and what operators see) and its node-to-node
 * address. Membership gossips one opaque address string per node; this is its format,
 * {@code <http host:port>|<peer host:port>}, so every node learns both without a second protocol.
 */
public record NodeAddress(HostPort http, HostPort peer) {

    private static final char SEPARATOR = '|';

    public static NodeAddress parse(String text) {
        int bar = text.indexOf(SEPARATOR);
        if (bar < 0 || text.indexOf(SEPARATOR, bar + 1) >= 0) {
            throw new IllegalArgumentException("not a node address (http|peer): '" + text + "'");
        }
        return new NodeAddress(HostPort.parse(text.substring(0, bar)), HostPort.parse(text.substring(bar + 1)));
    }

    /** The node-to-node {@code host:port} in a gossiped address (a plain address is taken as is). */
    public static String peerOf(String text) {
        int bar = text.indexOf(SEPARATOR);
        return bar < 0 ? text : text.substring(bar + 1);
    }

    /** The HTTP {@code host:port} in a gossiped address, or the whole text when it has no peer part. */
    public static String httpOf(String text) {
        int bar = text.indexOf(SEPARATOR);
        return bar < 0 ? text : text.substring(0, bar);
    }

    @Override
    public String toString() {
        return http + String.valueOf(SEPARATOR) + peer;
    }
}
