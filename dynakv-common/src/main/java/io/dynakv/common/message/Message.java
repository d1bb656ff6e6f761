package io.dynakv.common.message;

/**
 * A node-to-node message. Implementations are immutable records. Each kind has a stable wire type
 * id assigned in the transport's codec registry; a record never changes meaning once released.
 */
public interface Message {}
