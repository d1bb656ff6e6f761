/**
 * Hinted handoff (Dynamo paper, section 4.6): a write a replica missed is kept by its coordinator
 * and handed over when the replica is back, so a short outage heals without waiting for
 * anti-entropy. Hints are a healing aid, not part of the quorum: a write still succeeds only at
 * W acknowledgements from its home replicas.
 */
package io.dynakv.replication.handoff;
