/**
 * The deterministic simulator (DESIGN section 3; after TigerBeetle's VOPR): many nodes' protocol
 * code on one thread, over a virtual clock and a simulated network. One seed fixes the whole run.
 */
package io.dynakv.sim;
