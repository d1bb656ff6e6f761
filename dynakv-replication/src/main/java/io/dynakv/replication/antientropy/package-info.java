/**
 * Anti-entropy (Dynamo paper, section 4.7): replicas of a partition compare Merkle trees of their
 * data and repair only the keys under the subtrees that differ, so replicas that missed writes
 * (past hints and read repair) converge while exchanging little when they already agree. This
 * package holds the pure core: building a partition's tree from storage in bounded pages and
 * finding the differing buckets and records. Scheduling, the bandwidth cap, messages and the
 * key-by-key repair are the caller's.
 */
package io.dynakv.replication.antientropy;
