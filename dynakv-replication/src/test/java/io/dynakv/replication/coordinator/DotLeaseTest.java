package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.StorageFullException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The dot counter: durable before use, renewed ahead of need, never reissued, one actor per directory. */
class DotLeaseTest {

    private static final long BLOCK = 8;

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final SplittableRandom ids = new SplittableRandom(42);

    /** Metadata writes that complete only when the test says so, as an fsync off the loop would. */
    private final class SlowMeta implements DotLease.MetaWriter {
        final List<Runnable> pending = new ArrayList<>();

        @Override
        public void write(String name, byte[] value, Runnable onDurable, Consumer<RuntimeException> onFailed) {
            pending.add(() -> {
                storage.putMeta(name, value);
                onDurable.run();
            });
        }

        void completeAll() {
            List<Runnable> now = new ArrayList<>(pending);
            pending.clear();
            now.forEach(Runnable::run);
        }
    }

    @Test
    void aRestartNeverReissuesADotWhateverTheRenewalsInFlight() {
        SlowMeta meta = new SlowMeta();
        DotLease first = DotLease.open(storage, ids::nextLong, BLOCK, meta);
        long highest = 0;
        for (int i = 0; i < 20; i++) {
            OptionalLong dot = first.next(0);
            if (dot.isEmpty()) {
                meta.completeAll();
                continue;
            }
            highest = dot.getAsLong();
        }
        // A crash: the renewal still in flight never reached the disk.
        DotLease second = DotLease.open(storage, ids::nextLong, BLOCK, new SlowMeta());
        assertThat(second.actor()).isEqualTo(first.actor());
        assertThat(second.next(0).getAsLong()).isGreaterThan(highest);
    }

    @Test
    void noDotIsIssuedBeyondWhatIsDurableAndRenewalStartsAtHalfTheBlock() {
        SlowMeta meta = new SlowMeta();
        DotLease lease = DotLease.open(storage, ids::nextLong, BLOCK, meta);
        List<Long> dots = new ArrayList<>();
        for (int i = 0; i < BLOCK; i++) {
            lease.next(0).ifPresent(dots::add);
            if (i < BLOCK / 2) {
                assertThat(meta.pending)
                        .as("no renewal while more than half the block is left")
                        .isEmpty();
            }
        }
        assertThat(dots).hasSize((int) BLOCK).doesNotHaveDuplicates();
        assertThat(meta.pending)
                .as("one renewal in flight, asked for at half the block")
                .hasSize(1);
        assertThat(lease.next(0))
                .as("the lease is spent until the renewal is durable")
                .isEmpty();
        meta.completeAll();
        assertThat(lease.next(0).getAsLong()).isEqualTo(BLOCK + 1);
    }

    @Test
    void aFullDiskLeavesTheLeaseSpentAndSaysSo() {
        DotLease lease = DotLease.open(
                storage,
                ids::nextLong,
                BLOCK,
                (name, value, onDurable, onFailed) -> onFailed.accept(new StorageFullException("the disk is full")));
        for (int i = 0; i < BLOCK; i++) {
            assertThat(lease.next(0)).isPresent();
        }
        assertThat(lease.next(0)).isEmpty();
        assertThat(lease.renewalFailedOnFullDisk()).isTrue();
        assertThat(lease.renewalFailureMessage()).contains("full");
    }

    @Test
    void aWipedDataDirectoryGetsANewActor() {
        DotLease before = DotLease.open(storage, ids::nextLong, BLOCK, new SlowMeta());
        DotLease wiped = DotLease.open(new InMemoryStorageEngine(), ids::nextLong, BLOCK, new SlowMeta());
        assertThat(wiped.actor()).isNotEqualTo(before.actor());
    }
}
