package io.dynakv.common.message;

/**
 * A node-to-node message. Implementations are immutable records. Each kind has a stable wire type
 * id in {@link io.dynakv.common.codec.MessageCodec}; a record never changes meaning once released.
 */
public interface Message {}
