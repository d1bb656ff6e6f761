/**
 * Counting replica answers against a quorum, as pure state: no timers, no I/O. Follows the shape of
 * etcd-io/raft's {@code quorum} package: callers feed votes and ask for the outcome.
 */
package io.dynakv.replication.quorum;
