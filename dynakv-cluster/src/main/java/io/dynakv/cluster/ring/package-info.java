/**
 * Where keys live: a key hashes to one of Q fixed partitions ({@link io.dynakv.cluster.ring.Partitioner}),
 * and the {@link io.dynakv.cluster.ring.Ring} names each partition's preference list, the N
 * distinct nodes that hold it (Dynamo paper, sections 4.2 and 4.3). Partitions are fixed so data
 * is stored, scanned and streamed by partition; only their assignment to nodes changes.
 */
package io.dynakv.cluster.ring;
