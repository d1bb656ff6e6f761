package io.dynakv.cluster.ring;

import io.dynakv.common.codec.MessageCodec;

/**
 * The binary form of ring messages, schema version 1 (see {@link MessageCodec} for the frame
 * around them). Ring gossip takes type ids {@value #FIRST_TYPE_ID}-{@value #LAST_TYPE_ID}, a
 * sub-range of the membership range 1-99: SWIM uses 1-7, the replica protocol 100-199. Never
 * renumber or reuse an id: add a new one.
 *
 * <pre>
 * 10 RingUpdate  [partition table: PartitionTableCodec, to the end of the body]
 * </pre>
 *
 * The table's own checksum and structural checks run on decode; any failure surfaces as a
 * {@link io.dynakv.common.codec.MalformedFrameException} through {@link MessageCodec#decode}.
 */
public final class RingCodecs {

    public static final int RING_UPDATE = 10;

    /** The range reserved for the ring (inclusive). */
    public static final int FIRST_TYPE_ID = 10;

    public static final int LAST_TYPE_ID = 19;

    private RingCodecs() {}

    /** Registers the ring kinds with {@code codec}; throws if an id is taken. */
    public static MessageCodec register(MessageCodec codec) {
        return codec.register(
                RING_UPDATE,
                RingUpdate.class,
                (m, out) -> out.writeBytes(m.table().encode()),
                in -> new RingUpdate(PartitionTable.decode(in.readRest())));
    }
}
