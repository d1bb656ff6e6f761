package io.dynakv.node.cluster;

import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.WireStrings;
import io.dynakv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node remembers of its cluster across restarts, in the storage's metadata: the cluster's
 * id, the partition table it held, its last SWIM incarnation and the addresses of the members it knew. A restarted
 * node rejoins through those members without being told where the cluster is, and with a higher
 * incarnation, so its return overrides any DEAD claim about it at once.
 *
 * <p>Saves run on {@code writes}, never on the caller's loop: each is a synced write (an fsync), and
 * the control loop that saves the table and incarnation also runs failure detection, which must
 * not stall behind the disk. The executor keeps their order, so the last save of a name wins;
 * reads happen at start, before any save.
 */
final class ClusterMeta {

    private static final String CLUSTER_ID = "cluster_id";
    private static final String TABLE = "cluster_table";
    private static final String INCARNATION = "cluster_incarnation";
    private static final String PEERS = "cluster_peers";
    private static final String STREAMING = "cluster_streaming";
    private static final String ORPHANS = "cluster_orphans";
    private static final int MAX_SOURCES = 255;
    private static final int MAX_PEERS = 4096;
    private static final int MAX_ADDRESS_BYTES = 512;

    private static final Logger log = LoggerFactory.getLogger(ClusterMeta.class);

    private final StorageEngine storage;
    private final Executor writes;

    /** @param writes runs the saves one at a time, in order, off every event loop */
    ClusterMeta(StorageEngine storage, Executor writes) {
        this.storage = storage;
        this.writes = writes;
    }

    /** The id of the cluster this node founded or joined; {@code 0} if none (new, or made by an older build). */
    long clusterId() {
        return storage.getMeta(CLUSTER_ID)
                .map(b -> new ByteReader(b).readLong())
                .orElse(0L);
    }

    void saveClusterId(long clusterId) {
        storage.putMeta(CLUSTER_ID, new ByteWriter(8).writeLong(clusterId).toByteArray());
    }

    Optional<PartitionTable> table() {
        return storage.getMeta(TABLE).map(PartitionTable::decode);
    }

    void saveTable(PartitionTable table) {
        save(TABLE, table.encode());
    }

    long incarnation() {
        return storage.getMeta(INCARNATION)
                .map(b -> new ByteReader(b).readLong())
                .orElse(0L);
    }

    void saveIncarnation(long incarnation) {
        save(INCARNATION, new ByteWriter(8).writeLong(incarnation).toByteArray());
    }

    /** Partitions still streaming in to {@code self}, with their sources, as last saved. */
    List<Transfer> streaming(NodeId self) {
        return storage.getMeta(STREAMING)
                .map(bytes -> {
                    ByteReader in = new ByteReader(bytes);
                    int count = in.readInt();
                    List<Transfer> transfers = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        int partition = in.readShort();
                        int sources = in.readByte();
                        List<NodeId> ids = new ArrayList<>();
                        for (int j = 0; j < sources; j++) {
                            ids.add(new NodeId(in.readLong()));
                        }
                        transfers.add(new Transfer(partition, ids, self));
                    }
                    return transfers;
                })
                .orElse(List.of());
    }

    void saveStreaming(List<Transfer> transfers) {
        save(STREAMING, encodeStreaming(transfers));
    }

    /**
     * A table, the partitions still streaming in under it and the copies of partitions it took
     * away that are not dropped yet, in one durable write: saved apart, a crash between the table
     * and the streaming mark left a table that gives this node a partition it was never marked as
     * streaming, and the restarted node served it empty.
     */
    void saveRing(PartitionTable table, List<Transfer> streaming, Set<Integer> orphans) {
        ByteWriter orphanList = new ByteWriter(4 + 2 * orphans.size()).writeInt(orphans.size());
        orphans.forEach(orphanList::writeShort);
        storage.putMetas(Map.of(
                TABLE, table.encode(), STREAMING, encodeStreaming(streaming), ORPHANS, orphanList.toByteArray()));
    }

    /** Partitions this node lost whose local copy it has not dropped yet, as last saved. */
    Set<Integer> orphans() {
        return storage.getMeta(ORPHANS)
                .map(bytes -> {
                    ByteReader in = new ByteReader(bytes);
                    int count = in.readInt();
                    Set<Integer> orphans = new TreeSet<>();
                    for (int i = 0; i < count; i++) {
                        orphans.add(in.readShort());
                    }
                    return orphans;
                })
                .orElse(Set.of());
    }

    private static byte[] encodeStreaming(List<Transfer> transfers) {
        ByteWriter out = new ByteWriter(8 + transfers.size() * 32).writeInt(transfers.size());
        for (Transfer t : transfers) {
            List<NodeId> sources = t.sources().subList(0, Math.min(t.sources().size(), MAX_SOURCES));
            out.writeShort(t.partition()).writeByte(sources.size());
            sources.forEach(id -> out.writeLong(id.value()));
        }
        return out.toByteArray();
    }

    /** Gossiped addresses of the other members, as last saved. */
    List<String> peers() {
        return storage.getMeta(PEERS)
                .map(bytes -> {
                    ByteReader in = new ByteReader(bytes);
                    int count = in.readInt();
                    List<String> peers = new ArrayList<>();
                    for (int i = 0; i < Math.min(count, MAX_PEERS); i++) {
                        peers.add(WireStrings.read(in, 1, MAX_ADDRESS_BYTES, "peer address"));
                    }
                    return peers;
                })
                .orElse(List.of());
    }

    void savePeers(List<String> addresses) {
        List<String> kept = addresses.subList(0, Math.min(addresses.size(), MAX_PEERS));
        ByteWriter out = new ByteWriter(16 + kept.size() * 48).writeInt(kept.size());
        for (String address : kept) {
            WireStrings.write(out, address, MAX_ADDRESS_BYTES, "peer address");
        }
        save(PEERS, out.toByteArray());
    }

    /**
     * A failed save (a full disk) is logged, not thrown: the node keeps running on what it knows,
     * and the next change of the same state saves it again.
     */
    private void save(String name, byte[] value) {
        writes.execute(() -> {
            try {
                storage.putMeta(name, value);
            } catch (RuntimeException e) {
                log.warn("saving {} failed; it is saved again at its next change: {}", name, e.toString());
            }
        });
    }
}
