/**
 * The cluster under test: real {@code java -jar dynakv.jar} processes, each in its own network
 * namespace on a bridge the harness creates (or all on loopback when it cannot), started, killed,
 * paused and partitioned by pid and by firewall rule, never by name.
 *
 * <p>Fault model: process crashes (SIGKILL: what was not fsynced may be lost, the disk survives),
 * pauses (SIGSTOP: sockets stay open, nothing answers), packet loss between chosen pairs of nodes in
 * one or both directions (iptables DROP: connections hang, then time out; nothing is corrupted or
 * reordered), wall clocks shifted by a fixed offset, and a node lost for good and replaced by a new
 * one with an empty disk. The machine, its kernel and the harness itself never fail.
 */
package io.dynakv.faults.cluster;
