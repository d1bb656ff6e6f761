package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.cluster.membership.SwimCodecs;
import io.dynakv.common.codec.FrameChecks;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The wire form of {@link RingUpdate}: round trip, its type id, and garbage refused as one exception. */
class RingCodecsTest {

    private static final MessageCodec CODEC = RingCodecs.register(SwimCodecs.register(new MessageCodec()));

    private static final PartitionTable TABLE = PartitionTable.initial(
                    RingChecks.firstN(RingChecks.nodeIds(7, 5), 4), Partitioner.DEFAULT_PARTITIONS, 3)
            .rebalance(RingChecks.firstN(RingChecks.nodeIds(7, 5), 5));

    @Test
    void roundTrips() {
        RingUpdate update = new RingUpdate(TABLE);

        RingUpdate decoded = (RingUpdate) CODEC.decode(CODEC.encode(update));

        assertThat(decoded).isEqualTo(update);
        assertThat(decoded.table().encode()).isEqualTo(TABLE.encode());
        assertThat(decoded.table().epoch()).isEqualTo(2);
    }

    @Test
    void typeIdIsTheDocumentedOneInTheRingRange() {
        assertThat(CODEC.typeIdOf(RingUpdate.class))
                .isEqualTo(RingCodecs.RING_UPDATE)
                .isEqualTo(10);
        assertThat(RingCodecs.RING_UPDATE).isBetween(RingCodecs.FIRST_TYPE_ID, RingCodecs.LAST_TYPE_ID);
        assertThat(RingCodecs.FIRST_TYPE_ID).isEqualTo(10);
        assertThat(RingCodecs.LAST_TYPE_ID).isEqualTo(19);
        assertThatThrownBy(() -> RingCodecs.register(CODEC)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void garbageBodiesWithAValidFrameChecksumAreMalformed() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] table = TABLE.encode();
        for (int i = 0; i < 500; i++) {
            byte[] body;
            if (i % 3 == 0) {
                body = new byte[random.nextInt(0, 64)];
                random.nextBytes(body);
            } else if (i % 3 == 1) {
                body = java.util.Arrays.copyOf(table, random.nextInt(0, table.length)); // truncated
            } else {
                body = table.clone();
                int at = random.nextInt(body.length);
                body[at] = (byte) (body[at] ^ (1 << random.nextInt(8))); // bit flip under the frame CRC
            }
            byte[] frame = FrameChecks.frame(RingCodecs.RING_UPDATE, body);
            assertThatThrownBy(() -> CODEC.decode(frame)).isInstanceOf(MalformedFrameException.class);
        }
    }

    @Test
    void aTableFollowedByTrailingBytesIsMalformed() {
        byte[] table = TABLE.encode();
        byte[] body = java.util.Arrays.copyOf(table, table.length + 1);

        assertThatThrownBy(() -> CODEC.decode(FrameChecks.frame(RingCodecs.RING_UPDATE, body)))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void randomFramesAreMalformed() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            byte[] frame = new byte[random.nextInt(0, 200)];
            random.nextBytes(frame);
            assertThatThrownBy(() -> CODEC.decode(frame)).isInstanceOf(MalformedFrameException.class);
        }
    }

    /** A well-formed frame (version, type, valid CRC) around an arbitrary body. */
}
