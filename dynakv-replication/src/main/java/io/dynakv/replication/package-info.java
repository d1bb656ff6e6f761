/**
 * Replication, written sans-I/O: the coordinator and replica react to requests, replica answers and
 * timers, and reach storage, other replicas and time only through interfaces ({@code StorageEngine},
 * {@link io.dynakv.replication.coordinator.ReplicaGateway}, {@code Scheduler}, {@code HlcClock}),
 * so the same code runs in a node and in the deterministic simulator.
 */
package io.dynakv.replication;
