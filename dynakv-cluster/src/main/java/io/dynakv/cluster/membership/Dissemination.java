package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queue of membership updates waiting to be piggybacked (SWIM section 4.1, infection-style
 * dissemination). Each update rides on a bounded number of messages, the least-sent first and,
 * among equals, the most recent first, so fresh news overtakes old news and every message stays
 * small. One entry per member: a newer claim about a member replaces the older one, which bounds
 * the queue by the member count.
 */
final class Dissemination {

    /** Least transmitted first, then the most recently enqueued, then by id for a total order. */
    private static final Comparator<Entry> ORDER = Comparator.comparingInt((Entry e) -> e.transmits)
            .thenComparing(Comparator.comparingLong((Entry e) -> e.enqueuedSeq).reversed())
            .thenComparing(e -> e.update.id());

    private final Map<NodeId, Entry> pending = new TreeMap<>();
    private long nextSeq;

    void enqueue(Member update) {
        pending.put(update.id(), new Entry(update, nextSeq++));
    }

    /**
     * Takes up to {@code max} updates for one message, counting one transmission for each and
     * dropping those sent {@code transmitLimit} times.
     */
    List<Member> take(int max, int transmitLimit) {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<Entry> sorted = new ArrayList<>(pending.values());
        sorted.sort(ORDER);
        int count = Math.min(max, sorted.size());
        List<Member> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Entry e = sorted.get(i);
            out.add(e.update);
            e.transmits++;
            if (e.transmits >= transmitLimit) {
                pending.remove(e.update.id());
            }
        }
        return out;
    }

    int size() {
        return pending.size();
    }

    private static final class Entry {
        final Member update;
        final long enqueuedSeq;
        int transmits;

        Entry(Member update, long enqueuedSeq) {
            this.update = update;
            this.enqueuedSeq = enqueuedSeq;
        }
    }
}
