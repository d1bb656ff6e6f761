/**
 * Partition streaming for ring changes (Dynamo paper, section 4.9, "Adding/Removing Storage
 * Nodes"): a node that gains a partition pulls it, page by page, from the nodes that held it
 * ({@code PartitionStream}, one per partition, and {@code PartitionStreams}, which runs a bounded
 * number of them per event loop); the old owners answer from storage ({@code
 * PartitionStreamServer}). Sans-I/O: messages go through a {@code Transport}, timers through a
 * {@code Scheduler}, writes through the {@code Replica} and its {@code Durability}.
 */
package io.dynakv.replication.rebalance;
