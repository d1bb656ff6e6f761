package io.dynakv.cluster.membership;

import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.MessageHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One node's SWIM membership (see the package documentation for the paper). Sans-I/O: it acts
 * only when a message arrives ({@link #onMessage}) or a timer it set fires, and sends through
 * {@link MembershipTransport}. Not thread-safe by design: it belongs to one event loop.
 *
 * <p>Every protocol period it concludes the previous probe (suspecting an unanswered target),
 * then probes the next member of a shuffled round-robin order. State that reaches messages lives
 * in maps sorted by {@link NodeId}, so a run is a function of its inputs and random seed alone.
 */
public final class SwimMembership implements MessageHandler {

    /** Relays waiting for a target's ack; beyond this, ping-req requests are dropped. */
    private static final int MAX_RELAYS = 256;

    private enum Lifecycle {
        /** Constructed; ignores messages until {@link #start()} or {@link #join}. */
        NEW,
        /** Probing and answering. */
        RUNNING,
        /** Left, or removed by an operator: silent for good. */
        STOPPED
    }

    private final NodeId self;
    private final String address;
    private final MembershipTransport transport;
    private final Scheduler scheduler;
    private final Clock clock;
    private final RandomGenerator random;
    private final SwimConfig config;

    private final TreeMap<NodeId, Member> members = new TreeMap<>();
    private final Dissemination gossip = new Dissemination();
    private final List<MembershipListener> listeners = new ArrayList<>();
    private final Map<Long, Relay> relays = new TreeMap<>();
    private final List<NodeId> probeOrder = new ArrayList<>();

    private Lifecycle lifecycle = Lifecycle.NEW;
    private long incarnation;
    private int probeIndex;
    private long nextSeq;
    private long periods;
    private Probe probe;
    private String joinSeed;
    private boolean joined;
    private long nextSyncPeriod = -1;

    public SwimMembership(
            NodeId self,
            String address,
            MembershipTransport transport,
            Scheduler scheduler,
            Clock clock,
            RandomGenerator random,
            SwimConfig config) {
        this(self, address, transport, scheduler, clock, random, config, 0);
    }

    /**
     * @param initialIncarnation a restarted node passes one more than the incarnation it last had
     *     (persisted with its metadata), so its return overrides the DEAD claim about it at once;
     *     passing less is safe but slower: the node refutes when it hears the claim
     */
    public SwimMembership(
            NodeId self,
            String address,
            MembershipTransport transport,
            Scheduler scheduler,
            Clock clock,
            RandomGenerator random,
            SwimConfig config,
            long initialIncarnation) {
        this.self = Objects.requireNonNull(self, "self");
        this.address = Objects.requireNonNull(address, "address");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.config = Objects.requireNonNull(config, "config");
        this.incarnation = initialIncarnation;
        members.put(self, new Member(self, address, MemberStatus.ALIVE, initialIncarnation));
    }

    // ---- commands ---------------------------------------------------------------------------

    /** Starts probing, as a cluster of one until others join through this node. Idempotent. */
    public void start() {
        if (lifecycle == Lifecycle.NEW) {
            lifecycle = Lifecycle.RUNNING;
            scheduleTick();
        }
    }

    /**
     * Joins the cluster through the member listening on {@code seedAddress}: sends a join request
     * now and again every few periods until some member replies with its member list.
     */
    public void join(String seedAddress) {
        start();
        if (lifecycle != Lifecycle.RUNNING || seedAddress.equals(address)) {
            return;
        }
        joinSeed = seedAddress;
        joined = false;
        sendJoin();
    }

    /** Leaves gracefully: tells every active member this node is LEFT, then falls silent. */
    public void leave() {
        if (lifecycle != Lifecycle.RUNNING) {
            return;
        }
        Member before = members.get(self);
        Member left = before.withStatus(MemberStatus.LEFT);
        members.put(self, left);
        for (Member m : List.copyOf(members.values())) {
            if (m.isActive() && !m.id().equals(self)) {
                transport.send(m.id(), new Leave(left, piggyback(m.id())));
            }
        }
        lifecycle = Lifecycle.STOPPED;
        notifyListeners(before, left);
    }

    /**
     * An operator removes a member for good (it is marked LEFT everywhere as the news spreads),
     * typically a DEAD node that will not come back. Returns whether anything changed.
     */
    public boolean remove(NodeId id) {
        if (id.equals(self)) {
            throw new IllegalArgumentException("a node leaves itself with leave(), not remove()");
        }
        Member current = members.get(id);
        if (current == null || current.status() == MemberStatus.LEFT) {
            return false;
        }
        accept(current, current.withStatus(MemberStatus.LEFT));
        return true;
    }

    public void addListener(MembershipListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---- queries ----------------------------------------------------------------------------

    /** Every member this node knows, itself included, in any status, sorted by id. */
    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public Optional<Member> member(NodeId id) {
        return Optional.ofNullable(members.get(id));
    }

    /** For a production transport that must turn an id into a {@code host:port}. */
    public Optional<String> addressOf(NodeId id) {
        return member(id).map(Member::address);
    }

    /**
     * Members that are ALIVE or SUSPECT, this node included: a suspect is still a member until
     * confirmed DEAD (SWIM section 4.2) and keeps serving its replicas.
     */
    public int activeCount() {
        int n = 0;
        for (Member m : members.values()) {
            if (m.isActive()) {
                n++;
            }
        }
        return n;
    }

    public NodeId self() {
        return self;
    }

    public long incarnation() {
        return incarnation;
    }

    /** Protocol periods run since start. */
    public long periods() {
        return periods;
    }

    /** Whether a join request has been answered (always true for a node that never joined). */
    public boolean joined() {
        return joinSeed == null || joined;
    }

    // ---- inputs -----------------------------------------------------------------------------

    @Override
    public void onMessage(NodeId from, Message message) {
        if (lifecycle != Lifecycle.RUNNING || !(message instanceof SwimMessage)) {
            return;
        }
        if (message instanceof JoinReply) {
            if (!joined) {
                joined = true;
                nextSyncPeriod = periods + 2; // our seed may have missed someone: ask another
            }
            ((JoinReply) message).members().forEach(this::applyListed);
        } else if (message instanceof Sync) {
            ((Sync) message).members().forEach(this::applyListed);
        }
        ((SwimMessage) message).updates().forEach(this::apply);
        if (message instanceof Ping) {
            Ping ping = (Ping) message;
            transport.send(from, new Ack(ping.seq(), self, piggyback(from)));
        } else if (message instanceof Ack) {
            onAck((Ack) message);
        } else if (message instanceof PingReq) {
            onPingReq(from, (PingReq) message);
        } else if (message instanceof JoinRequest) {
            onJoinRequest((JoinRequest) message);
        } else if (message instanceof Leave) {
            apply(((Leave) message).leaver());
        } else if (message instanceof Sync && !((Sync) message).reply()) {
            transport.send(from, new Sync(members(), true, piggyback(from)));
        }
    }

    private void onAck(Ack ack) {
        Relay relay = relays.remove(ack.seq());
        if (relay != null) {
            // We probed on someone's behalf (section 3.1): forward under their sequence number.
            transport.send(relay.requester, new Ack(relay.requesterSeq, ack.target(), piggyback(relay.requester)));
        } else if (probe != null && probe.seq == ack.seq() && probe.target.equals(ack.target())) {
            probe.acked = true;
        }
    }

    private void onPingReq(NodeId from, PingReq req) {
        if (relays.size() >= MAX_RELAYS || req.target().equals(self)) {
            return;
        }
        long relaySeq = nextSeq++;
        relays.put(relaySeq, new Relay(from, req.seq()));
        Ping ping = new Ping(relaySeq, piggyback(req.target()));
        if (members.containsKey(req.target())) {
            transport.send(req.target(), ping);
        } else {
            transport.sendToAddress(req.targetAddress(), ping);
        }
        // An ack after a period is useless to the requester, which has concluded its probe.
        scheduler.schedule(config.protocolPeriodNanos(), () -> relays.remove(relaySeq));
    }

    private void onJoinRequest(JoinRequest req) {
        Member joiner = req.joiner();
        if (joiner.id().equals(self)) {
            return;
        }
        apply(joiner);
        // The full list, the joiner included: if we hold it DEAD at an incarnation it has not
        // passed, it sees that claim and refutes it, as it would any gossip about itself.
        transport.send(joiner.id(), new JoinReply(members(), piggyback(joiner.id())));
    }

    // ---- the protocol period ----------------------------------------------------------------

    private void scheduleTick() {
        scheduler.schedule(config.protocolPeriodNanos(), this::tick);
    }

    private void tick() {
        if (lifecycle != Lifecycle.RUNNING) {
            return;
        }
        periods++;
        concludeProbe();
        startProbe();
        if (periods % config.deadProbeEveryPeriods() == 0) {
            probeOneDead();
        }
        if (joinSeed != null && !joined && periods % config.joinRetryPeriods() == 0) {
            sendJoin();
        }
        if (periods == nextSyncPeriod || periods % config.syncIntervalPeriods(activeCount()) == 0) {
            sendSync();
        }
        scheduleTick();
    }

    /** SWIM section 4.2: a target that did not answer, directly or indirectly, is suspected. */
    private void concludeProbe() {
        Probe p = probe;
        probe = null;
        if (p == null || p.acked) {
            return;
        }
        Member target = members.get(p.target);
        if (target != null && target.status() == MemberStatus.ALIVE) {
            accept(target, target.withStatus(MemberStatus.SUSPECT));
        }
    }

    private void startProbe() {
        NodeId target = nextProbeTarget();
        if (target == null) {
            return;
        }
        long seq = nextSeq++;
        probe = new Probe(seq, target);
        transport.send(target, new Ping(seq, withSelf(piggyback(target))));
        scheduler.schedule(config.probeTimeoutNanos(), () -> probeTimedOut(seq));
    }

    /** No direct ack in time: ask k random members to probe the target for us (section 3.1). */
    private void probeTimedOut(long seq) {
        if (lifecycle != Lifecycle.RUNNING || probe == null || probe.seq != seq || probe.acked) {
            return;
        }
        Member target = members.get(probe.target);
        if (target == null) {
            return;
        }
        for (NodeId helper : randomAlive(config.indirectProbes(), target.id())) {
            transport.send(helper, new PingReq(seq, target.id(), target.address(), piggyback(helper)));
        }
    }

    /**
     * Pings one random DEAD member. The ping carries the DEAD claim, so a member that is back (a
     * healed partition) refutes it and gossips its higher incarnation; an ack is not needed.
     */
    private void probeOneDead() {
        List<NodeId> dead = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.status() == MemberStatus.DEAD) {
                dead.add(m.id());
            }
        }
        if (!dead.isEmpty()) {
            NodeId target = dead.get(random.nextInt(dead.size()));
            transport.send(target, new Ping(nextSeq++, piggyback(target)));
        }
    }

    private void sendSync() {
        for (NodeId target : randomAlive(1, self)) {
            transport.send(target, new Sync(members(), false, piggyback(target)));
        }
    }

    private void sendJoin() {
        transport.sendToAddress(joinSeed, new JoinRequest(members.get(self), piggyback(null)));
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

    /** A new member goes to a random position among those not yet probed this round (4.3). */
    private void insertIntoProbeOrder(NodeId id) {
        int remaining = probeOrder.size() - probeIndex;
        probeOrder.add(probeIndex + random.nextInt(remaining + 1), id);
    }

    private List<NodeId> randomAlive(int k, NodeId exclude) {
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

    // ---- applying claims --------------------------------------------------------------------

    private void apply(Member claim) {
        apply(claim, true);
    }

    /**
     * A claim from a whole member list (join reply, sync). A member we merely had not heard of
     * is old news to the rest of the cluster: gossiping it would make every joiner re-broadcast
     * the whole list and crowd real news out of the piggyback slots. A changed status is news.
     */
    private void applyListed(Member claim) {
        apply(claim, members.containsKey(claim.id()));
    }

    private void apply(Member claim, boolean gossipIt) {
        if (claim.id().equals(self)) {
            applyAboutSelf(claim);
            return;
        }
        Member current = members.get(claim.id());
        if (current == null || UpdateRules.supersedes(claim, current)) {
            accept(current, claim, gossipIt);
        }
    }

    /**
     * A claim about this node. Suspicion or death at our incarnation or later is refuted with a
     * higher incarnation (section 4.2); so is an ALIVE claim from a former life numbered higher
     * than our own. A LEFT claim is an operator's removal: this node falls silent for good.
     */
    private void applyAboutSelf(Member claim) {
        Member me = members.get(self);
        if (claim.status() == MemberStatus.LEFT) {
            if (me.status() != MemberStatus.LEFT) {
                Member left = me.withStatus(MemberStatus.LEFT);
                members.put(self, left);
                lifecycle = Lifecycle.STOPPED;
                notifyListeners(me, left);
            }
            return;
        }
        if (claim.incarnation() < incarnation
                || (claim.status() == MemberStatus.ALIVE && claim.incarnation() == incarnation)) {
            return;
        }
        incarnation = claim.incarnation() + 1;
        Member refuted = new Member(self, address, MemberStatus.ALIVE, incarnation);
        members.put(self, refuted);
        gossip.enqueue(refuted);
    }

    /** Records a claim that won, queues it for gossip and tells the listeners. */
    private void accept(Member previous, Member updated) {
        accept(previous, updated, true);
    }

    private void accept(Member previous, Member updated, boolean gossipIt) {
        members.put(updated.id(), updated);
        if (gossipIt) {
            gossip.enqueue(updated);
        }
        if (updated.status() == MemberStatus.SUSPECT) {
            armSuspicion(updated);
        }
        if (updated.isActive() && (previous == null || !previous.isActive())) {
            insertIntoProbeOrder(updated.id());
        }
        if (previous == null
                || previous.status() != updated.status()
                || !previous.address().equals(updated.address())) {
            notifyListeners(previous, updated);
        }
    }

    /**
     * Each node times a suspicion from when it heard of it (section 4.2). The deadline is read
     * from the clock as well as the timer, so a timer that fires early cannot cut it short.
     */
    private void armSuspicion(Member suspect) {
        long timeoutNanos = config.suspicionPeriods(activeCount()) * config.protocolPeriodNanos();
        long deadline = clock.nowNanos() + timeoutNanos;
        scheduler.schedule(timeoutNanos, () -> suspicionExpired(suspect, deadline));
    }

    private void suspicionExpired(Member suspect, long deadline) {
        Member current = members.get(suspect.id());
        if (lifecycle != Lifecycle.RUNNING || !suspect.equals(current)) {
            return; // refuted, confirmed or superseded meanwhile
        }
        long now = clock.nowNanos();
        if (now < deadline) {
            scheduler.schedule(deadline - now, () -> suspicionExpired(suspect, deadline));
        } else {
            accept(current, current.withStatus(MemberStatus.DEAD));
        }
    }

    /**
     * Updates for one message to {@code to} (null: unknown recipient). A recipient we hold
     * SUSPECT or DEAD also gets that claim, whatever the queue holds, so it can refute at once; one
     * we hold LEFT (removed by an operator while cut off) learns it and falls silent.
     */
    private List<Member> piggyback(NodeId to) {
        List<Member> updates =
                new ArrayList<>(gossip.take(config.maxPiggyback(), config.retransmitLimit(activeCount())));
        Member view = to == null ? null : members.get(to);
        if (view != null && view.status() != MemberStatus.ALIVE && !updates.contains(view)) {
            if (updates.size() >= config.maxPiggyback()) {
                updates.remove(updates.size() - 1);
            }
            updates.add(0, view);
        }
        return updates;
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

    private void notifyListeners(Member previous, Member current) {
        for (MembershipListener l : List.copyOf(listeners)) {
            l.onMemberChange(previous, current);
        }
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
