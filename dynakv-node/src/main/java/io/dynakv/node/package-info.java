/**
 * The node process: command line and configuration, the wiring of protocol code to real time,
 * Vert.x event loops and RocksDB, the group committer that shares fsyncs among writes, and logging.
 * Nothing here decides anything about replication; it only runs the protocol core.
 */
package io.dynakv.node;
