package io.dynakv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisseminationTest {

    private static Member alive(long id, long inc) {
        return new Member(new NodeId(id), "h:" + id, MemberStatus.ALIVE, inc);
    }

    @Test
    void leastSentThenNewestFirstAndBoundedPerMessage() {
        Dissemination d = new Dissemination();
        d.enqueue(alive(1, 0));
        d.enqueue(alive(2, 0));
        d.enqueue(alive(3, 0));
        assertThat(d.take(2, 10)).containsExactly(alive(3, 0), alive(2, 0));
        // 1 has been sent least now
        assertThat(d.take(2, 10)).containsExactly(alive(1, 0), alive(3, 0));
    }

    @Test
    void dropsAnUpdateAfterItsTransmitLimit() {
        Dissemination d = new Dissemination();
        d.enqueue(alive(1, 0));
        for (int i = 0; i < 3; i++) {
            assertThat(d.take(8, 3)).hasSize(1);
        }
        assertThat(d.take(8, 3)).isEmpty();
        assertThat(d.size()).isZero();
    }

    @Test
    void aNewerClaimReplacesTheOlderOneAndStartsAfresh() {
        Dissemination d = new Dissemination();
        d.enqueue(alive(1, 0));
        d.take(8, 3);
        d.take(8, 3);
        d.enqueue(alive(1, 1));
        assertThat(d.size()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(d.take(8, 3)).isEqualTo(List.of(alive(1, 1)));
        }
        assertThat(d.take(8, 3)).isEmpty();
    }
}
