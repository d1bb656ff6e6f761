/**
 * The checkers: pure functions over the recorded history and the reads taken after the cluster
 * healed. Each returns the anomalies it found with the evidence (operation ids, values, times), so
 * a failing seed can be explained from its history file.
 *
 * <h2>What "superseded" means</h2>
 *
 * Writes carry unique values, so the value a final read returns names the one operation that wrote
 * it. An operation X <em>precedes</em> W when X's effect completed before W was invoked
 * ({@link io.dynakv.faults.history.Op#precedes}); an unacknowledged write never completes (it may
 * still land through a hint), so it precedes nothing. An acknowledged write W of key k is
 * <em>superseded</em> when either
 *
 * <ol>
 *   <li>a <b>later</b> acknowledged write or delete of k exists: one invoked after W completed
 *       (in real time, hence also causally, after W), or
 *   <li>the final state of k was written by an operation X other than W (a write whose value is the
 *       final value, or, when k is absent, a delete) that does not precede W: X is concurrent with
 *       W (their intervals overlap) or later, and its effect is the one that survived.
 * </ol>
 *
 * A write that is neither present nor superseded is <b>lost</b> (checker a). An acknowledged delete
 * D is <b>resurrected</b> when k is present at the end with a value written by an operation that
 * precedes D (checker b): the value D removed came back. A final value that no operation wrote is
 * reported as <b>phantom</b>.
 *
 * <p>Real-time order stands in for causality because the workload never passes context across
 * clients: a write's causal past is within what completed before it was sent.
 */
package io.dynakv.faults.check;
