/**
 * The nemesis: faults on a schedule drawn from one seed ({@code SEED=}), applied one at a time to
 * the real cluster and healed before the next.
 *
 * <p>Fault model: at most one fault in force at a time, each touching a minority of the nodes or
 * cutting the network so that a majority side remains (N=3, W=2 of 3 stays reachable for most keys
 * from that side): kill -9 then restart, SIGSTOP then SIGCONT, a node isolated, a 2|3 split, a
 * bridge node that sees both sides of a 2|2 split, a one-way cut, a wall clock shifted by up to ten
 * minutes either way and, in half of those, stepped forward or back halfway through (restart with
 * {@code --test-clock-offset-ms} and {@code --test-clock-step-ms}, then without), and a node removed for good and
 * replaced by an empty one. The schedule is a pure function of the seed and the run's length, so
 * {@code --seed} replays it; the moments faults really start depend on how long nodes take to
 * restart, and are logged.
 */
package io.dynakv.faults.nemesis;
