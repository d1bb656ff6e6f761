/**
 * Byte-level encoding shared by storage records, version tokens and (later) node-to-node frames:
 * fixed-width big-endian numbers and unsigned LEB128 varints. Readers check every length against
 * what remains, so a corrupt or hostile input fails with an exception, never a huge allocation.
 */
package io.dynakv.common.codec;
