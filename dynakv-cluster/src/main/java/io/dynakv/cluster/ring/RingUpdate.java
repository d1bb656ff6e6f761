package io.dynakv.cluster.ring;

import io.dynakv.common.message.Message;
import java.util.Objects;

/**
 * A partition table on its way to the other members: sent by the claimant after it computed a new
 * table ({@link RingManager}), and by anyone who wants to share the table it holds. A receiver
 * hands {@link #table()} to {@link RingManager#onTable}, which keeps it only if it supersedes the
 * table held there, so duplicates, reordering and stale copies are harmless.
 *
 * <p>On the wire the body is exactly {@link PartitionTableCodec}'s encoding (which carries its own
 * format byte and checksum); see {@link RingCodecs}.
 */
public record RingUpdate(PartitionTable table) implements Message {

    public RingUpdate {
        Objects.requireNonNull(table, "table");
    }
}
