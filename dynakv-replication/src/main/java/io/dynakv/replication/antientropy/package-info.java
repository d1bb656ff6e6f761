/**
 * Anti-entropy (Dynamo paper, section 4.7): replicas of a partition compare Merkle trees of their
 * data and repair only the keys under the subtrees that differ, so replicas that missed writes
 * (past hints and read repair) converge while exchanging little when they already agree. The
 * trees and their diff ({@code MerkleTree}, {@code MerkleDiff}), the exchange between two replicas
 * with its messages and a byte budget ({@code AntiEntropySession}, {@code AntiEntropyResponder},
 * {@code ByteBudget}), and the key-by-key repair in both directions live here, sans-I/O. Which
 * partitions to compare with whom, and when, is the node's schedule.
 */
package io.dynakv.replication.antientropy;
