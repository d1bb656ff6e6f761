/**
 * Node-to-node transport: length-prefixed binary frames with a versioned schema over persistent
 * TCP connections (Vert.x/Netty), authenticated with the cluster secret on connect. Protocol code
 * sees only {@link io.dynakv.common.message.Transport}.
 */
package io.dynakv.transport;
