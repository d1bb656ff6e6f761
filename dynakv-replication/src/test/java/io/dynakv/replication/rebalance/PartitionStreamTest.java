package io.dynakv.replication.rebalance;

import static io.dynakv.replication.rebalance.StreamFixtures.A;
import static io.dynakv.replication.rebalance.StreamFixtures.B;
import static io.dynakv.replication.rebalance.StreamFixtures.C;
import static io.dynakv.replication.rebalance.StreamFixtures.MAX_RECORDS_PER_PAGE;
import static io.dynakv.replication.rebalance.StreamFixtures.OTHER_PARTITION;
import static io.dynakv.replication.rebalance.StreamFixtures.PARTITION;
import static io.dynakv.replication.rebalance.StreamFixtures.T;
import static io.dynakv.replication.rebalance.StreamFixtures.all;
import static io.dynakv.replication.rebalance.StreamFixtures.fill;
import static io.dynakv.replication.rebalance.StreamFixtures.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Message;
import io.dynakv.replication.rebalance.PartitionStream.State;
import io.dynakv.replication.rebalance.StreamFixtures.Cluster;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * One partition pulled by {@code T} over a simulated network (fault model in {@link StreamNet}):
 * it arrives complete and byte-identical under loss, duplication and reordering; stale pages
 * change nothing; a dead first source is replaced by the union of all the others and nothing
 * less; and completion waits for durability.
 */
class PartitionStreamTest {

    private static final long STREAM_ID = 7L << 48;
    private static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void fiveThousandRecordsStreamByteIdentically() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(1);
        fill(c.source(A), PARTITION, "k", 5_000, random);
        fill(c.source(A), OTHER_PARTITION, "noise", 100, random);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(16 << 10));

        stream.start();
        c.net.run();

        List<PartitionRecord> expected = all(c.source(A), PARTITION);
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(stream.state()).isEqualTo(State.DONE);
        assertThat(all(c.target, PARTITION)).isEqualTo(expected);
        assertThat(all(c.target, OTHER_PARTITION)).isEmpty();
        assertThat(stream.recordsReceived()).isEqualTo(5_000);
        assertThat(stream.bytesReceived())
                .isEqualTo(
                        expected.stream().mapToLong(StreamCodecs::recordBytes).sum());
        assertThat(c.net.count(StreamRequest.class, T, A)).isGreaterThanOrEqualTo(5_000 / MAX_RECORDS_PER_PAGE);
        assertThat(c.net.count(StreamRequest.class, T, B)).isZero();
    }

    /** The first source is often given up here (three timeouts in a row), so B must finish it. */
    @Property(tries = 25)
    void completesIdenticallyUnderLossDuplicationAndReordering(@ForAll long seed) {
        StreamNet net = new StreamNet(seed, 0.2, 0.2, 80_000_000L);
        Cluster c = new Cluster(net);
        fill(c.source(A), PARTITION, "k", 1_000, new SplittableRandom(seed));
        fill(c.source(B), PARTITION, "k", 1_000, new SplittableRandom(seed));
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(4 << 10));

        stream.start();
        net.runUntil(() -> false, 3_600 * SECOND_NANOS);

        assertThat(c.completed).as("SEED=%d", seed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).as("SEED=%d", seed).isEqualTo(all(c.source(A), PARTITION));
    }

    @Test
    void aLostRequestIsAskedAgain() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 250, new SplittableRandom(2));
        c.net.dropWhen(s -> s.message() instanceof StreamRequest && c.net.count(StreamRequest.class, T, A) == 1);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));

        stream.start();
        c.net.run();

        List<StreamRequest> requests = requests(c.net);
        assertThat(requests).hasSize(4); // lost, retried, then two more pages of 100
        assertThat(requests.get(1).fromStart()).isTrue();
        assertThat(requests.get(1).streamId()).isNotEqualTo(requests.get(0).streamId());
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(c.source(A), PARTITION));
    }

    @Test
    void aLostPageIsAskedAgainFromTheSameCursor() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 250, new SplittableRandom(3));
        c.net.dropWhen(s -> s.message() instanceof StreamPage && c.net.count(StreamPage.class, A, T) == 2);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));

        stream.start();
        c.net.run();

        List<StreamRequest> requests = requests(c.net);
        assertThat(requests).hasSize(4);
        assertThat(requests.get(2).afterKey()).isEqualTo(requests.get(1).afterKey());
        assertThat(requests.get(2).afterTable()).isEqualTo(requests.get(1).afterTable());
        assertThat(stream.recordsReceived()).isEqualTo(250);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(c.source(A), PARTITION));
    }

    @Test
    void duplicateStaleAndStrayPagesChangeNothing() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 250, new SplittableRandom(4));
        c.net.dropWhen(s -> s.from().equals(T)); // requests are answered by hand below
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));
        stream.start();
        StreamPage first = answer(c.source(A), lastRequest(c.net));
        stream.onPage(A, first);
        StreamRequest second = lastRequest(c.net);
        StreamPage answer = answer(c.source(A), second);
        int sends = c.net.sent.size();

        stream.onPage(A, first); // duplicate of the page already applied
        stream.onPage(B, answer); // the right page from a node it did not ask
        stream.onPage(A, withId(answer, second.streamId() + 1)); // an id not sent yet
        stream.onPage(A, withId(answer, second.streamId() + PartitionStream.REQUEST_IDS_PER_STREAM));
        stream.onPage(A, new StreamPage(second.streamId(), OTHER_PARTITION, answer.records(), answer.last()));

        assertThat(c.net.sent).hasSize(sends);
        assertThat(stream.recordsReceived()).isEqualTo(100);
        assertThat(all(c.target, PARTITION)).isEqualTo(first.records());

        stream.onPage(A, answer);
        assertThat(stream.recordsReceived()).isEqualTo(200);
        assertThat(c.net.sent).hasSize(sends + 1);
        stream.onPage(A, answer); // its duplicate
        assertThat(stream.recordsReceived()).isEqualTo(200);
    }

    @Test
    void aLateAnswerToATimedOutRequestIsTakenAndItsRetryIgnored() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 150, new SplittableRandom(5));
        c.net.dropWhen(s -> s.from().equals(T));
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));
        stream.start();
        StreamRequest original = lastRequest(c.net);
        c.net.runUntil(() -> requests(c.net).size() == 2, Long.MAX_VALUE); // one timeout
        StreamRequest retry = lastRequest(c.net);

        stream.onPage(A, answer(c.source(A), original));
        stream.onPage(A, answer(c.source(A), retry));

        assertThat(stream.recordsReceived()).isEqualTo(100);
        assertThat(requests(c.net)).hasSize(3);
        assertThat(lastRequest(c.net).fromStart()).isFalse();
    }

    @Test
    void aNewRoundResumesTheSourceAndIgnoresPagesOfTheLastRound() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 250, new SplittableRandom(6));
        c.net.dropWhen(s -> s.from().equals(T));
        PartitionStream stream = c.stream(STREAM_ID, List.of(A), settings(1 << 20));
        stream.start();
        stream.onPage(A, answer(c.source(A), lastRequest(c.net)));
        StreamRequest atSecondPage = lastRequest(c.net);
        // Three timeouts give up A, the only source; after the retry delay a new round asks again.
        c.net.runUntil(() -> requests(c.net).size() == 5, Long.MAX_VALUE);
        StreamRequest resumed = lastRequest(c.net);
        assertThat(resumed.afterKey()).isEqualTo(atSecondPage.afterKey());
        assertThat(c.net.sent.get(4).atNanos() - c.net.sent.get(3).atNanos())
                .isEqualTo(settings(1).requestTimeoutNanos() + settings(1).retryDelayNanos());

        stream.onPage(A, answer(c.source(A), atSecondPage)); // a request of the last round
        assertThat(stream.recordsReceived()).isEqualTo(100);

        stream.onPage(A, answer(c.source(A), resumed));
        assertThat(stream.recordsReceived()).isEqualTo(200);
        assertThat(requests(c.net)).hasSize(6);
    }

    @Test
    void aDeadFirstSourceIsReplacedByEveryOtherSourceAndNothingLess() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(7);
        fill(c.source(A), PARTITION, "a", 300, random);
        fill(c.source(B), PARTITION, "b", 300, random);
        fill(c.source(C), PARTITION, "c", 300, random);
        for (int i = 0; i < 50; i++) { // writes both B and C acknowledged
            Versioned v = StreamFixtures.randomVersion(random);
            c.source(B).put(PARTITION, "t", bytes("both" + i), v);
            c.source(C).put(PARTITION, "t", bytes("both" + i), v);
        }
        c.net.down(A);
        c.net.down(C);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B, C), settings(8 << 10));

        stream.start();
        c.net.runUntil(() -> false, 5 * SECOND_NANOS); // many rounds: A and C still down

        assertThat(c.completed).isEmpty();
        assertThat(stream.state()).isEqualTo(State.WAITING_TO_RETRY);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(c.source(B), PARTITION));
        long requestsToB = c.net.count(StreamRequest.class, T, B);

        c.net.up(C);
        c.net.runUntil(() -> !c.completed.isEmpty(), 10 * SECOND_NANOS);

        InMemoryStorageEngine union = new InMemoryStorageEngine();
        for (NodeId node : List.of(B, C)) {
            all(c.source(node), PARTITION).forEach(r -> union.put(PARTITION, r.table(), r.key(), r.value()));
        }
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(union, PARTITION));
        assertThat(c.net.count(StreamRequest.class, T, A)).isZero();
        assertThat(c.net.count(StreamRequest.class, T, B)).isEqualTo(requestsToB); // B's stream still counts
    }

    /** Fault-harness seed 20261207: two nodes that refused to serve each other waited forever. */
    @Test
    void aFirstSourceStillStreamingItselfCannotVouchSoTheOthersUnionCompletes() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(13);
        fill(c.source(A), PARTITION, "a", 100, random);
        fill(c.source(B), PARTITION, "b", 100, random);
        fill(c.source(C), PARTITION, "c", 100, random);
        c.incomplete.add(A);
        c.incomplete.add(B); // a partial other source still counts for the union
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B, C), settings(8 << 10));

        stream.start();
        c.net.runUntil(() -> !c.completed.isEmpty(), 10 * SECOND_NANOS);

        InMemoryStorageEngine all = new InMemoryStorageEngine();
        for (NodeId node : List.of(A, B, C)) {
            all(c.source(node), PARTITION).forEach(r -> all.put(PARTITION, r.table(), r.key(), r.value()));
        }
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(all, PARTITION));
    }

    @Test
    void aFirstSourceVouchesOnceAWholePassOfItIsComplete() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "a", 100, new SplittableRandom(14));
        c.incomplete.add(A);
        c.net.down(B); // no union possible: only A can complete the partition
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(4 << 10));

        stream.start();
        c.net.runUntil(() -> false, 5 * SECOND_NANOS);
        assertThat(c.completed).as("A's partial pages alone prove nothing").isEmpty();

        c.incomplete.remove(A); // A's own stream completed
        long before = stream.recordsReceived();
        c.net.runUntil(() -> !c.completed.isEmpty(), 10 * SECOND_NANOS);

        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(stream.recordsReceived() - before)
                .as("A streamed again from the start")
                .isGreaterThanOrEqualTo(100);
    }

    /** Rule 3; fault-harness seed 20261207: streams whose sources were removed never ended. */
    @Test
    void whenTheFirstSourceAndAnotherHaveLeftTheRemainingSourcesComplete() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(11);
        fill(c.source(B), PARTITION, "b", 200, random);
        fill(c.source(C), PARTITION, "c", 200, random);
        c.net.leave(A);
        c.net.leave(B);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B, C), settings(8 << 10));

        stream.start();
        c.net.runUntil(() -> !c.completed.isEmpty(), 10 * SECOND_NANOS);

        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(c.source(C), PARTITION));
        assertThat(c.net.count(StreamRequest.class, T, A)).isZero();
        assertThat(c.net.count(StreamRequest.class, T, B)).isZero();
    }

    @Test
    void anotherSourceThatLeftDoesNotReplaceAFirstSourceThatIsOnlyDown() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(12);
        fill(c.source(A), PARTITION, "a", 100, random); // writes only A and B acknowledged
        fill(c.source(C), PARTITION, "c", 100, random);
        c.net.down(A);
        c.net.leave(B);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B, C), settings(8 << 10));

        stream.start();
        c.net.runUntil(() -> false, 5 * SECOND_NANOS);
        assertThat(c.completed).as("C alone may lack what only A and B held").isEmpty();
        assertThat(stream.state()).isEqualTo(State.WAITING_TO_RETRY);

        c.net.up(A);
        c.net.runUntil(() -> !c.completed.isEmpty(), 10 * SECOND_NANOS);
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).containsAll(all(c.source(A), PARTITION));
    }

    @Test
    void aSingleSourceThatLeftCompletesWithNothingToStream() {
        Cluster c = new Cluster(StreamNet.reliable());
        c.net.leave(A);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A), settings(1 << 20));

        stream.start();
        c.net.runUntil(() -> !c.completed.isEmpty(), SECOND_NANOS);

        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(c.net.sent).isEmpty();
    }

    @Test
    void aSilentFirstSourceIsGivenUpAfterMaxAttempts() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(8);
        fill(c.source(B), PARTITION, "b", 150, random);
        fill(c.source(C), PARTITION, "c", 150, random);
        c.net.dropWhen(s -> s.to().equals(A)); // up as far as membership knows, but not answering
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B, C), settings(1 << 20));

        stream.start();
        c.net.runUntil(() -> !c.completed.isEmpty(), 10 * SECOND_NANOS);

        assertThat(c.net.count(StreamRequest.class, T, A)).isEqualTo(3);
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(stream.recordsReceived()).isEqualTo(300);
    }

    @Test
    void whenEverySourceIsGivenUpItStartsOverWithTheFirst() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "a", 120, new SplittableRandom(9));
        c.net.down(A);
        c.net.down(B);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));

        stream.start();
        c.net.runUntil(() -> false, 2 * SECOND_NANOS);
        assertThat(c.net.sent).isEmpty(); // a source known to be down is not asked
        assertThat(stream.state()).isEqualTo(State.WAITING_TO_RETRY);

        c.net.up(A);
        c.net.runUntil(() -> !c.completed.isEmpty(), 4 * SECOND_NANOS);

        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(all(c.target, PARTITION)).isEqualTo(all(c.source(A), PARTITION));
        assertThat(c.net.sent.get(0).atNanos()).isGreaterThanOrEqualTo(2 * SECOND_NANOS);
    }

    @Test
    void oneSourceIsNeverReplacedByNone() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "a", 10, new SplittableRandom(10));
        c.net.dropWhen(s -> s.to().equals(A));
        PartitionStream stream = c.stream(STREAM_ID, List.of(A), settings(1 << 20));

        stream.start();
        c.net.runUntil(() -> false, 60 * SECOND_NANOS);

        assertThat(c.completed).isEmpty();
        assertThat(c.net.count(StreamRequest.class, T, A)).isGreaterThan(100);
    }

    @Test
    void onCompleteWaitsUntilTheAppliedRecordsAreDurable() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 250, new SplittableRandom(11));
        c.durability.holding = true;
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));

        stream.start();
        c.net.run();

        assertThat(stream.recordsReceived()).isEqualTo(250);
        assertThat(stream.state()).isEqualTo(State.SYNCING);
        assertThat(c.completed).isEmpty();
        assertThat(c.durability.asked).containsExactly(c.target.lastSequence());

        c.durability.release();
        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(stream.state()).isEqualTo(State.DONE);
    }

    @Test
    void aStreamCancelledWhileSyncingNeverCompletes() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 20, new SplittableRandom(12));
        c.durability.holding = true;
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));
        stream.start();
        c.net.run();

        stream.cancel();
        c.durability.release();

        assertThat(c.completed).isEmpty();
        assertThat(stream.state()).isEqualTo(State.CANCELLED);
    }

    @Test
    void aNewerVersionOnTheTargetIsKept() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(13);
        Versioned old = StreamFixtures.randomVersion(random);
        Versioned newer = descendant(old);
        c.source(A).put(PARTITION, "t", bytes("kept"), old);
        c.target.put(PARTITION, "t", bytes("kept"), newer);
        c.source(A).put(PARTITION, "t", bytes("replaced"), newer);
        c.target.put(PARTITION, "t", bytes("replaced"), old);
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));

        stream.start();
        c.net.run();

        assertThat(c.completed).containsExactly(PARTITION);
        assertThat(c.target.get(PARTITION, "t", bytes("kept"))).contains(newer);
        assertThat(c.target.get(PARTITION, "t", bytes("replaced"))).contains(newer);
    }

    @Test
    void cancelStopsRequestsAndTimers() {
        Cluster c = new Cluster(StreamNet.reliable());
        fill(c.source(A), PARTITION, "k", 500, new SplittableRandom(14));
        PartitionStream stream = c.stream(STREAM_ID, List.of(A, B), settings(1 << 20));
        stream.start();
        c.net.runUntil(() -> stream.recordsReceived() >= 200, Long.MAX_VALUE);
        long requests = requests(c.net).size();

        stream.cancel();
        c.net.dropWhen(s -> s.message() instanceof StreamPage); // and a silent source
        c.net.runUntil(() -> false, 60 * SECOND_NANOS); // a live timer would retry and give up on A

        assertThat(requests(c.net)).hasSize((int) requests);
        assertThat(stream.recordsReceived()).isEqualTo(200);
        assertThat(stream.state()).isEqualTo(State.CANCELLED);
        assertThat(c.completed).isEmpty();
    }

    private static List<StreamRequest> requests(StreamNet net) {
        List<StreamRequest> out = new ArrayList<>();
        for (StreamNet.Sent s : net.sent) {
            if (s.message() instanceof StreamRequest r && s.from().equals(T)) {
                out.add(r);
            }
        }
        return out;
    }

    private static StreamRequest lastRequest(StreamNet net) {
        List<StreamRequest> all = requests(net);
        return all.get(all.size() - 1);
    }

    /** What source storage answers to {@code request}, computed by hand. */
    private static StreamPage answer(InMemoryStorageEngine storage, StreamRequest request) {
        List<Message> out = new ArrayList<>();
        new PartitionStreamServer(storage, (to, m) -> out.add(m), MAX_RECORDS_PER_PAGE, p -> false)
                .onMessage(T, request);
        return (StreamPage) out.get(0);
    }

    private static StreamPage withId(StreamPage page, long streamId) {
        return new StreamPage(streamId, page.partition(), page.records(), page.last());
    }

    private static Versioned descendant(Versioned v) {
        VersionVector clock = v.clock().merge(VersionVector.of(Map.of(new NodeId(77), 1L)));
        return new Versioned(clock, v.hlc() + 1, new NodeId(77), v.kind(), new byte[] {1, 2, 3});
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
