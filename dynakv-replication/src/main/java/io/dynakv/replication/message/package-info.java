/**
 * The replica protocol on the wire: what a coordinator asks a remote replica and what the replica
 * answers (Dynamo paper, section 4.5: the coordinator sends the request to the N replicas of the
 * key's preference list and waits for R or W replies). Every message carries the coordinator's
 * {@code requestId}, so a reply finds the request it answers; replies may be lost, duplicated or
 * reordered like any message. {@link io.dynakv.replication.message.ReplicationCodecs} gives the
 * kinds their binary form and type ids (100-199).
 */
package io.dynakv.replication.message;
