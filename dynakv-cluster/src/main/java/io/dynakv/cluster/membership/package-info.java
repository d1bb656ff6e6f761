/**
 * Who is in the cluster: SWIM membership (Das, Gupta, Motivala, "SWIM: Scalable Weakly-consistent
 * Infection-style Process Group Membership Protocol", DSN 2002), written sans-I/O.
 *
 * <p>{@link io.dynakv.cluster.membership.SwimMembership}, through its {@code Prober}, probes one
 * member per protocol period in a shuffled round-robin order (section 4.3), asks k other members
 * to probe indirectly when a direct probe fails (section 3.1), suspects before it declares a member dead, with incarnation
 * numbers so that a suspected member can refute (section 4.2), and spreads every change by
 * piggybacking it on the probe traffic (section 4.1). It reacts to messages and timers only and
 * reaches the outside world through {@link io.dynakv.cluster.membership.MembershipTransport},
 * {@link io.dynakv.common.Scheduler}, {@link io.dynakv.common.Clock} and a seeded random
 * generator, so the deterministic simulator runs it unchanged.
 */
package io.dynakv.cluster.membership;
