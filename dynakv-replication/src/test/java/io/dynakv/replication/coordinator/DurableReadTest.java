package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.InMemoryStorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A replica never answers a read with a write a crash can still take back (issue 9, item 7): the
 * in-memory engine loses, in {@code crash()}, exactly what was not synced, as a killed RocksDB node
 * loses its pending writes.
 */
class DurableReadTest {

    private static final NodeId SELF = new NodeId(1);

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final GroupCommit commit = new GroupCommit(storage);
    private final VirtualTime time = new VirtualTime();
    private final Replica replica = new Replica(storage, new HlcClock(time), new ReplicationStats());
    private final LocalReplicaGateway gateway = new LocalReplicaGateway(SELF, replica, commit);
    private final KeyRef key = new KeyRef(0, "default", "k".getBytes(StandardCharsets.UTF_8));

    @Test
    void readOfAKeyWithAPendingWriteWaitsForItsFsync() {
        write(version(1, "one"));
        commit.complete();
        commit.holding = true;
        List<ReplicaReply> writes = write(version(2, "two"));

        List<ReplicaReply> reads = new ArrayList<>();
        gateway.read(SELF, key, reads::add);

        assertThat(reads).as("the read waits while 'two' is not durable").isEmpty();
        commit.complete();
        assertThat(writes).singleElement().isInstanceOf(ReplicaReply.WriteDone.class);
        assertThat(reads).singleElement().satisfies(r -> assertThat(text(r)).contains("\"two\""));
    }

    @Test
    void aCrashBeforeTheFsyncLosesNothingAReadReturned() {
        write(version(1, "one"));
        commit.complete();
        commit.holding = true;
        write(version(2, "two"));
        List<ReplicaReply> reads = new ArrayList<>();
        gateway.read(SELF, key, reads::add);

        storage.crash(); // the node dies before the group commit: "two" is gone
        commit.fail(new IllegalStateException("the process died"));

        assertThat(reads).singleElement().isInstanceOf(ReplicaReply.Failed.class);
        List<ReplicaReply> after = new ArrayList<>();
        gateway.read(SELF, key, after::add);
        assertThat(after).singleElement().satisfies(r -> assertThat(text(r)).contains("\"one\""));
    }

    @Test
    void aWriteToAKeyWithAPendingWriteIsMintedWithoutWaitingForItsFsync() {
        commit.holding = true;
        write(version(1, "one"));

        List<ReplicaReply> reads = new ArrayList<>();
        gateway.readToMint(SELF, key, reads::add);

        assertThat(reads).singleElement().satisfies(r -> assertThat(text(r)).contains("\"one\""));
    }

    @Test
    void aReadOfADurableKeyAnswersAtOnceWhileOtherWritesWait() {
        write(version(1, "one"));
        commit.complete();
        commit.holding = true;
        KeyRef other = new KeyRef(0, "default", "other".getBytes(StandardCharsets.UTF_8));
        gateway.write(SELF, other, version(1, "x"), reply -> {});

        List<ReplicaReply> reads = new ArrayList<>();
        gateway.read(SELF, key, reads::add);

        assertThat(reads).singleElement().satisfies(r -> assertThat(text(r)).contains("\"one\""));
    }

    private List<ReplicaReply> write(Versioned version) {
        List<ReplicaReply> replies = new ArrayList<>();
        gateway.write(SELF, key, version, replies::add);
        return replies;
    }

    private static Versioned version(long counter, String text) {
        return new Versioned(
                VersionVector.of(Map.of(SELF, counter)),
                counter << 16,
                SELF,
                ValueKind.JSON,
                ('"' + text + '"').getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ReplicaReply reply) {
        Optional<Versioned> value = ((ReplicaReply.ReadDone) reply).value();
        return value.map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse("absent");
    }

    /** A group committer the test drives: waiters are released by {@link #complete} after a sync. */
    private static final class GroupCommit implements Durability {
        private final InMemoryStorageEngine storage;
        private final List<Runnable> waiting = new ArrayList<>();
        private final List<Consumer<RuntimeException>> failing = new ArrayList<>();
        private long durable;
        boolean holding;

        GroupCommit(InMemoryStorageEngine storage) {
            this.storage = storage;
        }

        @Override
        public void whenDurable(long sequence, Runnable onDurable, Consumer<RuntimeException> onFailed) {
            if (!holding && sequence > durable) {
                complete();
            }
            if (sequence <= durable) {
                onDurable.run();
                return;
            }
            waiting.add(onDurable);
            failing.add(onFailed);
        }

        void complete() {
            durable = storage.sync();
            List<Runnable> ready = new ArrayList<>(waiting);
            waiting.clear();
            failing.clear();
            ready.forEach(Runnable::run);
        }

        void fail(RuntimeException e) {
            List<Consumer<RuntimeException>> ready = new ArrayList<>(failing);
            waiting.clear();
            failing.clear();
            ready.forEach(f -> f.accept(e));
        }
    }
}
