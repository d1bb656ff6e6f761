/**
 * Byte-level encoding shared by storage records, version tokens and node-to-node frames:
 * fixed-width big-endian numbers and unsigned LEB128 varints ({@link io.dynakv.common.codec.ByteWriter},
 * {@link io.dynakv.common.codec.ByteReader}), the message registry and frame payload
 * ({@link io.dynakv.common.codec.MessageCodec}) and the length-prefixed stream framing
 * ({@link io.dynakv.common.codec.FrameDecoder}). Readers check every length against what remains,
 * so a corrupt or hostile input fails with an exception, never a huge allocation.
 */
package io.dynakv.common.codec;
