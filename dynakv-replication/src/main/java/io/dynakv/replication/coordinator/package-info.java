/**
 * The coordinator: the node that received a request finds the key's preference list, sends the
 * request to those replicas, counts answers against R or W and answers the client (Dynamo paper,
 * sections 4.5 and 5). Replicas are reached through {@link io.dynakv.replication.coordinator.ReplicaGateway}:
 * the local one directly, remote ones over the node-to-node transport.
 */
package io.dynakv.replication.coordinator;
