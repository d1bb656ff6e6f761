/**
 * Types every module shares: node identity, the hybrid logical clock, version vectors, versioned
 * values, key hashing, and the small interfaces through which protocol code reaches time and
 * timers ({@link io.dynakv.common.Clock}, {@link io.dynakv.common.Scheduler}). JDK only, so the
 * deterministic simulator can run everything that depends on it.
 */
package io.dynakv.common;
