/**
 * What the clients did: each operation with its invocation and completion times, its outcome and
 * the version it saw, recorded as one JSON line per operation for the checkers and for people.
 *
 * <p>Fault model of the client side: a request may get no answer (refused, reset, timed out) or an
 * error status; such a write is <em>indeterminate</em> (it may still take effect later, e.g. when a
 * hint is replayed), so it is recorded as {@link io.dynakv.faults.history.Op.Outcome#UNKNOWN} and
 * treated as completing at infinity. Only a write refused before it was sent (connection refused)
 * is a definite {@link io.dynakv.faults.history.Op.Outcome#FAIL}.
 */
package io.dynakv.faults.history;
