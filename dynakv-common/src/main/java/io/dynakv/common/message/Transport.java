package io.dynakv.common.message;

import io.dynakv.common.NodeId;

/**
 * Sends messages to other nodes. Fault model every protocol must tolerate: a message may be lost,
 * delayed, duplicated or reordered, and a send never blocks or throws for a network reason (a
 * failure is a lost message). Production sends binary frames over TCP; the simulator delivers
 * the records through its simulated network.
 */
public interface Transport {

    void send(NodeId to, Message message);
}
