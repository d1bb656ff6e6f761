package io.dynakv.common.message;

import io.dynakv.common.NodeId;

/** Receives messages, on the event loop that owns the receiving protocol. */
public interface MessageHandler {

    void onMessage(NodeId from, Message message);
}
