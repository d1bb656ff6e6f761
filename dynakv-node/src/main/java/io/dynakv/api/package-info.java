/**
 * The HTTP/JSON API (DESIGN section 1). Handlers run on Vert.x event loops: they parse and validate
 * a request, hand it to the shard that owns the key's partition, and write the answer. Every client
 * mistake gets a 4xx with a JSON body {@code {"error": code, "message": what and why}}; nothing a
 * client sends can crash the node or touch stored data before it is fully validated.
 */
package io.dynakv.api;
