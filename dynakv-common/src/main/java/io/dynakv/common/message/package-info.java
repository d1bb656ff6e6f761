/**
 * What nodes say to each other. Messages are immutable records; protocol code sends them through
 * {@link io.dynakv.common.message.Transport} and receives them through a
 * {@link io.dynakv.common.message.MessageHandler}, never touching sockets. The binary encoding
 * is {@link io.dynakv.common.codec.MessageCodec} (each protocol registers its own kinds); the
 * simulator passes the records as they are.
 */
package io.dynakv.common.message;
