package io.dynakv.faults.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DivergenceCheckTest {

    private static ReplicaRead present(String node, String version) {
        return new ReplicaRead("k", node, true, 200, version, "x");
    }

    private static ReplicaRead absent(String node, boolean replica) {
        return new ReplicaRead("k", node, replica, 404, null, null);
    }

    @Test
    void replicasAgreeingIsFine() {
        List<ReplicaRead> reads =
                List.of(present("a", "v1"), present("b", "v1"), present("c", "v1"), absent("d", false));
        assertThat(DivergenceCheck.check(reads, 3)).isEmpty();
        List<ReplicaRead> deleted = List.of(absent("a", true), absent("b", true), absent("c", true));
        assertThat(DivergenceCheck.check(deleted, 3)).isEmpty();
    }

    @Test
    void aStaleCopyOnANodeThatIsNoLongerAReplicaIsIgnored() {
        List<ReplicaRead> reads = List.of(
                present("a", "v2"),
                present("b", "v2"),
                present("c", "v2"),
                new ReplicaRead("k", "old", false, 200, "v1", "x"));
        assertThat(DivergenceCheck.check(reads, 3)).isEmpty();
    }

    @Test
    void differentVersionsDiverge() {
        List<ReplicaRead> reads = List.of(present("a", "v1"), present("b", "v2"), present("c", "v2"));
        assertThat(DivergenceCheck.check(reads, 3)).singleElement().satisfies(a -> assertThat(a.evidence())
                .contains("a=version v1", "b=version v2"));
    }

    @Test
    void aReplicaMissingTheValueOrADeleteDiverges() {
        List<ReplicaRead> reads = List.of(present("a", "v1"), present("b", "v1"), absent("c", true));
        assertThat(DivergenceCheck.check(reads, 3)).hasSize(1);
    }

    @Test
    void aSilentNodeOrTooFewReplicasDiverge() {
        List<ReplicaRead> silent =
                List.of(present("a", "v1"), present("b", "v1"), new ReplicaRead("k", "c", false, -1, null, null));
        assertThat(DivergenceCheck.check(silent, 3)).hasSize(1);
        List<ReplicaRead> two = List.of(present("a", "v1"), present("b", "v1"), absent("c", false));
        assertThat(DivergenceCheck.check(two, 3)).hasSize(1);
    }
}
