/**
 * The replica side: how a node applies a version it is sent, reads its own copy, and purges expired
 * tombstones. Every method runs on the event loop that owns the key's partition.
 */
package io.dynakv.replication.replica;
