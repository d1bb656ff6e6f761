package io.dynakv.transport;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs refused connections at WARN once per peer and reason, then at DEBUG: a member keeps dialing
 * a stranger at a dead member's address every few seconds, and one clear line says it all.
 * Touched only on the transport's loop.
 */
final class RefusalLog {

    private static final int MAX_PEERS = 1024;

    private final Logger log;
    private final Map<String, String> lastReason = new HashMap<>();

    RefusalLog(Logger log) {
        this.log = log;
    }

    void refused(String peer, String line) {
        if (lastReason.size() >= MAX_PEERS) {
            lastReason.clear(); // a bound against address churn; at worst a line is repeated
        }
        if (line.equals(lastReason.put(peer, line))) {
            log.debug("{}", line);
        } else {
            log.warn("{}", line);
        }
    }

    /** A connection to {@code peer} opened: its next refusal is news again. */
    void opened(String peer) {
        lastReason.remove(peer);
    }
}
