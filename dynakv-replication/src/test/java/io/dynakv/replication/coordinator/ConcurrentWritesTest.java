package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.CausalContext;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two coordinators write one key at the same moment (issue 9 item 9): the replicas keep one value
 * (highest HLC, then writer id), and the clients hear which. Over the real codec ({@link
 * WireCluster}): both writes are minted before either reaches the other's node, so node a gets b's
 * write after its own and node b gets a's after its own. Both HLCs are taken at the same virtual
 * instant, so the writer id decides: b's write wins.
 */
class ConcurrentWritesTest {

    private final WireCluster cluster = new WireCluster(3, 3);
    private final NodeId a = cluster.nodes.get(0);
    private final NodeId b = cluster.nodes.get(1);
    private final KeyRef key = new KeyRef(0, "default", "k".getBytes(StandardCharsets.UTF_8));

    @Test
    void concurrentPutsTellTheLoserItWasResolvedAway() {
        Versioned first = ok(writeNow(a, ValueKind.JSON, "\"first\"", Optional.empty()));
        CausalContext read = CausalContext.of(first);

        List<Outcome<Written>> fromA = new ArrayList<>();
        List<Outcome<Written>> fromB = new ArrayList<>();
        write(a, ValueKind.JSON, "\"from a\"", Optional.of(read), fromA);
        write(b, ValueKind.JSON, "\"from b\"", Optional.of(read), fromB);
        cluster.run();

        Written loser = written(fromA);
        Written winner = written(fromB);
        assertThat(loser.superseded())
                .as("a's value was resolved away, and its answer says so")
                .isTrue();
        assertThat(text(loser.kept())).isEqualTo("\"from b\"");
        assertThat(loser.kept().clock().descends(loser.version().clock())).isTrue();
        assertThat(loser.kept().clock().descends(winner.version().clock())).isTrue();
        assertThat(winner.superseded()).isFalse();
        assertThat(winner.concurrent()).map(this::text).contains("\"from a\"");
        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key)).map(this::text).contains("\"from b\"");
        }
        assertThat(cluster.stats.writesSuperseded.sum()).isEqualTo(1);
        assertThat(cluster.stats.writesWonConflict.sum()).isEqualTo(1);
    }

    @Test
    void deleteThatLosesToAConcurrentWriteSaysTheKeyIsStillLive() {
        CausalContext read = CausalContext.of(ok(writeNow(a, ValueKind.JSON, "\"v1\"", Optional.empty())));

        List<Outcome<Written>> delete = new ArrayList<>();
        List<Outcome<Written>> put = new ArrayList<>();
        write(a, ValueKind.TOMBSTONE, "", Optional.of(read), delete);
        write(b, ValueKind.JSON, "\"v2\"", Optional.of(read), put);
        cluster.run();

        Written deleted = written(delete);
        assertThat(deleted.superseded()).isTrue();
        assertThat(deleted.kept().isTombstone()).as("the key is still live").isFalse();
        assertThat(text(deleted.kept())).isEqualTo("\"v2\"");
        assertThat(cluster.stored(a, key)).map(this::text).contains("\"v2\"");
    }

    @Test
    void aWriteThatMetNoConcurrentVersionSaysNothing() {
        Versioned v1 = ok(writeNow(a, ValueKind.JSON, "\"v1\"", Optional.empty()));
        List<Outcome<Written>> next = new ArrayList<>();
        write(b, ValueKind.JSON, "\"v2\"", Optional.of(CausalContext.of(v1)), next);
        cluster.run();

        assertThat(written(next).concurrent()).isEmpty();
        assertThat(cluster.stats.writesSuperseded.sum()).isZero();
    }

    private Outcome<Written> writeNow(NodeId coordinator, ValueKind kind, String json, Optional<CausalContext> ctx) {
        List<Outcome<Written>> out = new ArrayList<>();
        write(coordinator, kind, json, ctx, out);
        cluster.run();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private void write(
            NodeId coordinator,
            ValueKind kind,
            String json,
            Optional<CausalContext> context,
            List<Outcome<Written>> out) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        cluster.coordinators
                .get(coordinator)
                .write(new WriteRequest(key, kind, value, context, ConsistencyLevel.QUORUM), out::add);
    }

    private static Written written(List<Outcome<Written>> outcomes) {
        assertThat(outcomes).singleElement().isInstanceOf(Outcome.Ok.class);
        return ((Outcome.Ok<Written>) outcomes.get(0)).value();
    }

    private static Versioned ok(Outcome<Written> outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Ok.class);
        return ((Outcome.Ok<Written>) outcome).value().version();
    }

    private String text(Versioned v) {
        return new String(v.value(), StandardCharsets.UTF_8);
    }
}
