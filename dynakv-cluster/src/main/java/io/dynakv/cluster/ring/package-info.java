/**
 * Where keys live: a key hashes to one of Q fixed partitions ({@link io.dynakv.cluster.ring.Partitioner}),
 * and the {@link io.dynakv.cluster.ring.Ring} names each partition's preference list, the N
 * distinct nodes that hold it (Dynamo paper, sections 4.2 and 4.3). Partitions are fixed so data
 * is stored, scanned and streamed by partition; only their assignment to nodes changes.
 *
 * <p>The cluster's ring is a {@link io.dynakv.cluster.ring.PartitionTable}: an explicit, versioned
 * assignment (Dynamo section 6.2, strategy 3) that {@link io.dynakv.cluster.ring.Claim} rebalances
 * deterministically on every join or leave, with the {@link io.dynakv.cluster.ring.Transfer}s a
 * change needs and a checksummed binary form for gossip ({@link
 * io.dynakv.cluster.ring.PartitionTableCodec}). {@link io.dynakv.cluster.ring.StaticRing} remains
 * for a fixed node list (the single node, tests).
 */
package io.dynakv.cluster.ring;
