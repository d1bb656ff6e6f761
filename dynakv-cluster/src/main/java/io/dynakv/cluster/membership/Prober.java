package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * SWIM's failure detector, one node's half of it (SWIM section 3.1): each protocol period it
 * pings the next member of a shuffled round-robin order (section 4.3), asks k others to probe
 * indirectly when no ack comes within the probe timeout, and at the end of the period suspects a
 * target that answered neither way (section 4.2). It also relays the ping-reqs of others and
 * answers pings. What a suspicion leads to, and the gossip that rides on every message, belong to
 * {@link SwimMembership}, which owns this prober and reaches it only from its own event loop.
 */
final class Prober {

    /** Relays waiting for a target's ack; beyond this, ping-req requests are dropped. */
    private static final int MAX_RELAYS = 256;

    /** Suspicions this node raised and keeps telling the suspect of; beyond this, gossip alone. */
    private static final int MAX_SUSPECTS_REMINDED = 16;

    /** What the prober needs from the membership that owns it. */
    interface Host {

        /** Whether the node still runs: a probe timer that fires after a leave does nothing. */
        boolean running();

        /** The piggybacked updates for one message to {@code to} (section 4.1). */
        List<Member> piggyback(NodeId to);

        /** Records a status change the prober concluded (a suspicion), and spreads it. */
        void accept(Member previous, Member updated);
    }

    private final NodeId self;
    private final MembershipTransport transport;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private final SwimConfig config;
    private final NavigableMap<NodeId, Member> members;
    private final Host host;

    private final Map<Long, Relay> relays = new TreeMap<>();
    private final List<NodeId> probeOrder = new ArrayList<>();
    private final List<Member> suspected = new ArrayList<>();
    private int probeIndex;
    private long nextSeq;
    private Probe probe;

    /**
     * @param members the owner's member list, read-only here and sorted by id, so that iterating
     *     it is deterministic
     */
    Prober(
            NodeId self,
            MembershipTransport transport,
            Scheduler scheduler,
            RandomGenerator random,
            SwimConfig config,
            NavigableMap<NodeId, Member> members,
            Host host) {
        this.self = self;
        this.transport = transport;
        this.scheduler = scheduler;
        this.random = random;
        this.config = config;
        this.members = members;
        this.host = host;
    }

    // ---- answering others -------------------------------------------------------------------

    void onPing(NodeId from, Ping ping) {
        transport.send(from, new Ack(ping.seq(), self, host.piggyback(from)));
    }

    void onAck(Ack ack) {
        Relay relay = relays.remove(ack.seq());
        if (relay != null) {
            // We probed on someone's behalf (section 3.1): forward under their sequence number.
            transport.send(relay.requester, new Ack(relay.requesterSeq, ack.target(), host.piggyback(relay.requester)));
        } else if (probe != null && probe.seq == ack.seq() && probe.target.equals(ack.target())) {
            probe.acked = true;
        }
    }

    /** Pings the target on the requester's behalf (section 3.1). */
    void onPingReq(NodeId from, PingReq req) {
        if (relays.size() >= MAX_RELAYS || req.target().equals(self)) {
            return;
        }
        long relaySeq = nextSeq++;
        relays.put(relaySeq, new Relay(from, req.seq()));
        Ping ping = new Ping(relaySeq, host.piggyback(req.target()));
        if (members.containsKey(req.target())) {
            transport.send(req.target(), ping);
        } else {
            transport.sendToAddress(req.targetAddress(), ping);
        }
        // An ack after a period is useless to the requester, which has concluded its probe.
        scheduler.schedule(config.protocolPeriodNanos(), () -> relays.remove(relaySeq));
    }

    // ---- the probe of each period -----------------------------------------------------------

    /** SWIM section 4.2: a target that did not answer, directly or indirectly, is suspected. */
    void concludeProbe() {
        remindSuspects();
        Probe p = probe;
        probe = null;
        if (p == null || p.acked) {
            return;
        }
        Member target = members.get(p.target);
        if (target != null && target.status() == MemberStatus.ALIVE) {
            Member suspect = target.withStatus(MemberStatus.SUSPECT);
            host.accept(target, suspect);
            if (suspected.size() < MAX_SUSPECTS_REMINDED) {
                suspected.add(suspect);
            }
            tellSuspect(suspect.id());
        }
    }

    /**
     * Tells a member this node suspected, at once and then every period until it refutes or is
     * confirmed DEAD. After the Buddy System of Lifeguard (Dadgar, Phillips, Currey, 2018), which
     * puts the suspicion on any ping to the suspect ({@link SwimMembership} does); here the
     * suspecter also sends those pings. A suspect must hear of its suspicion to refute it (SWIM
     * section 4.2); carried only on the pings it happened to get, the claim took up to 4
     * periods to reach it in the simulator, which gave
     * false DEADs at 5% loss with a 3·log n timeout. Now the refutation rides back on the ack to
     * the member that raised the suspicion, and a lost ping costs a period, not the gossip's
     * luck. A crashed suspect costs one lost message a period. No probe waits for these acks.
     */
    private void tellSuspect(NodeId id) {
        transport.send(id, new Ping(nextSeq++, host.piggyback(id)));
    }

    private void remindSuspects() {
        for (Iterator<Member> it = suspected.iterator(); it.hasNext(); ) {
            Member claim = it.next();
            if (claim.equals(members.get(claim.id()))) {
                tellSuspect(claim.id());
            } else {
                it.remove(); // refuted, confirmed or superseded
            }
        }
    }

    void startProbe() {
        NodeId target = nextProbeTarget();
        if (target == null) {
            return;
        }
        long seq = nextSeq++;
        probe = new Probe(seq, target);
        transport.send(target, new Ping(seq, withSelf(host.piggyback(target))));
        scheduler.schedule(config.probeTimeoutNanos(), () -> probeTimedOut(seq));
    }

    /** No direct ack in time: ask k random members to probe the target for us (section 3.1). */
    private void probeTimedOut(long seq) {
        if (!host.running() || probe == null || probe.seq != seq || probe.acked) {
            return;
        }
        Member target = members.get(probe.target);
        if (target == null) {
            return;
        }
        for (NodeId helper : randomAlive(config.indirectProbes(), target.id())) {
            transport.send(helper, new PingReq(seq, target.id(), target.address(), host.piggyback(helper)));
        }
    }

    /**
     * Pings one random DEAD member. The ping carries the DEAD claim, so a member that is back (a
     * healed partition) refutes it and gossips its higher incarnation; an ack is not needed.
     */
    void probeOneDead() {
        List<NodeId> dead = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.status() == MemberStatus.DEAD) {
                dead.add(m.id());
            }
        }
        if (!dead.isEmpty()) {
            NodeId target = dead.get(random.nextInt(dead.size()));
            transport.send(target, new Ping(nextSeq++, host.piggyback(target)));
        }
    }

    /**
     * A probe also carries the prober's own claim. Gossip about a member dies out after
     * λ·log n transmissions; a node that joined later, through a member that had not yet heard
     * of it, would otherwise never learn of it. Carried on every probe, each member announces
     * itself to every other once per round (section 4.3 bounds the round), at one claim's cost.
     */
    private List<Member> withSelf(List<Member> updates) {
        Member me = members.get(self);
        if (updates.contains(me)) {
            return updates;
        }
        List<Member> out = new ArrayList<>(updates.size() + 1);
        out.add(me);
        out.addAll(updates.subList(0, Math.min(updates.size(), config.maxPiggyback() - 1)));
        return out;
    }

    // ---- probe order (section 4.3) ----------------------------------------------------------

    /**
     * Round-robin over a shuffled list: every member is probed once per round, so the time to
     * first detection is bounded (section 4.3), while the random order keeps probes spread.
     */
    private NodeId nextProbeTarget() {
        for (int round = 0; round < 2; round++) {
            while (probeIndex < probeOrder.size()) {
                Member m = members.get(probeOrder.get(probeIndex++));
                if (m != null && m.isActive() && !m.id().equals(self)) {
                    return m.id();
                }
            }
            rebuildProbeOrder();
        }
        return null;
    }

    private void rebuildProbeOrder() {
        probeOrder.clear();
        for (Member m : members.values()) {
            if (m.isActive() && !m.id().equals(self)) {
                probeOrder.add(m.id());
            }
        }
        for (int i = probeOrder.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            probeOrder.set(i, probeOrder.set(j, probeOrder.get(i)));
        }
        probeIndex = 0;
    }

    /**
     * A member that became active goes to a uniformly random position in the whole list (SWIM
     * section 4.3), probed or not: a member placed in the part already probed waits for the next
     * round, within the section's bound of 2n-1 periods. Putting every newcomer among the members
     * not yet probed, as this did before, piled the newcomers of a busy period (a cluster forming,
     * a rolling restart) into the rest of every member's round, so the old members were not
     * probed again until those long rounds ended: in the simulator a crashed one went unprobed by
     * all 199 others for 7 periods.
     */
    void insertIntoProbeOrder(NodeId id) {
        int at = random.nextInt(probeOrder.size() + 1);
        probeOrder.add(at, id);
        if (at < probeIndex) {
            probeIndex++; // keep pointing at the same next member
        }
    }

    /** Up to k random ALIVE members other than this node and {@code exclude}. */
    List<NodeId> randomAlive(int k, NodeId exclude) {
        List<NodeId> candidates = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.status() == MemberStatus.ALIVE && !m.id().equals(self) && !m.id().equals(exclude)) {
                candidates.add(m.id());
            }
        }
        int count = Math.min(k, candidates.size());
        for (int i = 0; i < count; i++) { // partial Fisher-Yates: the first count are the sample
            int j = i + random.nextInt(candidates.size() - i);
            candidates.set(i, candidates.set(j, candidates.get(i)));
        }
        return candidates.subList(0, count);
    }

    /** The outstanding probe of this period. */
    private static final class Probe {
        final long seq;
        final NodeId target;
        boolean acked;

        Probe(long seq, NodeId target) {
            this.seq = seq;
            this.target = target;
        }
    }

    /** A ping we sent on behalf of a ping-req: whom to forward the ack to, under which seq. */
    private static final class Relay {
        final NodeId requester;
        final long requesterSeq;

        Relay(NodeId requester, long requesterSeq) {
            this.requester = requester;
            this.requesterSeq = requesterSeq;
        }
    }
}
