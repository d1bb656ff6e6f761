package io.dynakv.replication.antientropy;

import io.dynakv.common.message.Message;
import io.dynakv.storage.PartitionRecord;
import java.util.List;

/**
 * The messages of one anti-entropy exchange (Dynamo paper, section 4.7) between an initiator
 * ({@link AntiEntropySession}) and a responder ({@link AntiEntropyResponder}). Each carries the
 * initiator's {@code sessionId}, so a late, duplicated or reordered message of another session is
 * recognised and dropped.
 *
 * <p>Their wire form, type ids 110-113, is {@link AntiEntropyCodecs}; the simulator and tests
 * exchange the records as objects.
 */
public sealed interface AntiEntropyMessage extends Message {

    long sessionId();

    /**
     * Asks for the hashes of nodes {@code indexes} at {@code level} of the responder's tree of
     * {@code partition}, built with {@code leafCount} leaves (both sides must use the same shape).
     */
    record HashesRequest(long sessionId, int partition, int leafCount, int level, List<Integer> indexes)
            implements AntiEntropyMessage {
        public HashesRequest {
            indexes = List.copyOf(indexes);
        }
    }

    /** The responder's hashes of the requested nodes, in the order they were asked for. */
    record HashesReply(long sessionId, int level, List<Integer> indexes, List<Long> hashes)
            implements AntiEntropyMessage {
        public HashesReply {
            indexes = List.copyOf(indexes);
            hashes = List.copyOf(hashes);
            if (indexes.size() != hashes.size()) {
                throw new IllegalArgumentException(indexes.size() + " indexes but " + hashes.size() + " hashes");
            }
        }
    }

    /** Asks for every record (table, key, version) of one bucket of the responder's partition. */
    record BucketRequest(long sessionId, int partition, int leafCount, int bucket) implements AntiEntropyMessage {}

    /** The responder's records of the requested bucket, in storage order. */
    record BucketReply(long sessionId, int bucket, List<PartitionRecord> records) implements AntiEntropyMessage {
        public BucketReply {
            records = List.copyOf(records);
        }
    }
}
