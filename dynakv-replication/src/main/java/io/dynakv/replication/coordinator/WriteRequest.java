package io.dynakv.replication.coordinator;

import io.dynakv.common.CausalContext;
import io.dynakv.common.ValueKind;
import io.dynakv.replication.replica.KeyRef;
import java.util.Optional;

/**
 * A client's write: a value, or a delete when {@code kind} is TOMBSTONE.
 *
 * @param context the version the client read, if it sent one; without it the write supersedes
 *     whatever this coordinator holds for the key
 */
public record WriteRequest(
        KeyRef key, ValueKind kind, byte[] value, Optional<CausalContext> context, ConsistencyLevel w) {}
