package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.SwimConfig;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.RingManager;
import io.dynakv.cluster.ring.RingUpdate;
import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.node.ShardRouters;
import io.dynakv.storage.ForwardingStorageEngine;
import io.dynakv.storage.InMemoryStorageEngine;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * How a node takes a new ring table in: the table and the partitions it gives this node to
 * stream in are saved in one durable write and marked incomplete before the table is visible.
 * The node's process is killed (kill -9) by a storage that refuses every metadata write after the
 * first one that holds the table, as a process that died right after that write would.
 */
class RingAdoptionTest {

    private static final int PARTITIONS = 32;
    private static final NodeId A = new NodeId(0x0aL);
    private static final NodeId B = new NodeId(0x0bL);
    private static final NodeId C = new NodeId(0x0cL);
    private static final NodeId D = new NodeId(0x0dL);

    /** Fault model: the process dies right after the first metadata write that stores a table. */
    private static final class KilledAfterTableSave extends ForwardingStorageEngine {
        private boolean killed;

        KilledAfterTableSave(InMemoryStorageEngine disk) {
            super(disk);
        }

        @Override
        public void putMeta(String name, byte[] value) {
            refuseOnceKilled();
            super.putMeta(name, value);
            killed |= name.equals("cluster_table");
        }

        @Override
        public void putMetas(Map<String, byte[]> values) {
            refuseOnceKilled();
            super.putMetas(values);
            killed |= values.containsKey("cluster_table");
        }

        private void refuseOnceKilled() {
            if (killed) {
                throw new IllegalStateException("killed (kill -9) after the ring table was saved");
            }
        }
    }

    private static ClusterControl joiner(NodeId self, ClusterMeta meta) {
        MembershipTransport membership = new MembershipTransport() {
            @Override
            public void send(NodeId to, Message message) {}

            @Override
            public void sendToAddress(String address, Message message) {}
        };
        Scheduler scheduler = (delayNanos, task) -> () -> {};
        Clock clock = new Clock() {
            @Override
            public long nowNanos() {
                return 0;
            }

            @Override
            public long wallMillis() {
                return 0;
            }
        };
        SwimMembership swim = new SwimMembership(
                self,
                "127.0.0.1:1|127.0.0.1:2",
                membership,
                scheduler,
                clock,
                new SplittableRandom(1),
                SwimConfig.defaults());
        return new ClusterControl(
                swim, RingManager.joiner(self), membership, meta, scheduler, new SplittableRandom(2), 1_000_000_000L);
    }

    private static Rebalancer rebalancer(NodeId self, InMemoryStorageEngine disk, ClusterMeta meta) {
        return new Rebalancer(
                self,
                ShardRouters.unstarted(2),
                meta,
                disk,
                (to, message) -> {},
                Runnable::run,
                PARTITIONS,
                meta.table().orElse(null));
    }

    @Test
    void killBetweenRingSaveAndStreamingMarkStillStreamsThePartition() {
        InMemoryStorageEngine disk = new InMemoryStorageEngine();
        KilledAfterTableSave dying = new KilledAfterTableSave(disk);
        ClusterMeta meta = new ClusterMeta(dying, Runnable::run);
        ClusterControl control = joiner(D, meta);
        Rebalancer rebalancer = rebalancer(D, disk, meta);
        control.storeTablesWith(rebalancer::adopt);
        control.onTable(rebalancer::onTable);
        PartitionTable joined =
                PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 3).rebalance(Set.of(A, B, C, D));
        assertThat(joined.partitionsOf(D)).isNotEmpty();

        // The kill surfaces as an exception or as a failed (logged) metadata save; either way
        // nothing after the table reaches the disk.
        Throwable death = catchThrowable(() -> control.onMessage(A, new RingUpdate(joined)));
        if (death != null) {
            assertThat(death).hasMessageContaining("killed");
        }
        assertThat(dying.killed)
                .as("the process died after the table was saved")
                .isTrue();

        // The restarted process, as Cluster.start builds it from what reached the disk.
        ClusterMeta afterRestart = new ClusterMeta(disk, Runnable::run);
        assertThat(afterRestart.table()).contains(joined);
        Rebalancer restarted = rebalancer(D, disk, afterRestart);
        for (int p : joined.partitionsOf(D)) {
            assertThat(restarted.isIncomplete(p))
                    .as("partition %d, which the saved table gives D, must still stream in", p)
                    .isTrue();
        }
    }
}
