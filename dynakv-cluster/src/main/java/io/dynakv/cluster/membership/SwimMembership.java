package io.dynakv.cluster.membership;

import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.MessageHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One node's SWIM membership (see the package documentation for the paper). Sans-I/O: it acts
 * only when a message arrives ({@link #onMessage}) or a timer it set fires, and sends through
 * {@link MembershipTransport}. Not thread-safe by design: it belongs to one event loop.
 *
 * <p>Every protocol period its {@link Prober} concludes the previous probe (suspecting an
 * unanswered target), then probes the next member of a shuffled round-robin order; this class
 * applies claims, times suspicions, spreads gossip and runs joins, leaves and syncs. State that reaches messages lives
 * in maps sorted by {@link NodeId}, so a run is a function of its inputs and random seed alone.
 */
public final class SwimMembership implements MessageHandler {

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
    private final SwimConfig config;

    private final TreeMap<NodeId, Member> members = new TreeMap<>();
    private final Dissemination gossip = new Dissemination();
    private final List<MembershipListener> listeners = new ArrayList<>();
    private final Prober prober;
    private JoinPolicy joinPolicy = JoinPolicy.OPEN;

    private Lifecycle lifecycle = Lifecycle.NEW;
    private long incarnation;
    private long periods;
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
        this.config = Objects.requireNonNull(config, "config");
        this.incarnation = initialIncarnation;
        members.put(self, new Member(self, address, MemberStatus.ALIVE, initialIncarnation));
        this.prober = new Prober(
                self,
                transport,
                scheduler,
                Objects.requireNonNull(random, "random"),
                config,
                Collections.unmodifiableNavigableMap(members),
                new Host());
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

    /** Who may join through this node, and what this node states when it joins; set before starting. */
    public void useJoinPolicy(JoinPolicy policy) {
        this.joinPolicy = Objects.requireNonNull(policy, "policy");
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
                joinPolicy.admitted(((JoinReply) message).clusterId());
            }
            ((JoinReply) message).members().forEach(this::applyListed);
        } else if (message instanceof JoinRefused) {
            if (!joined()) {
                joinPolicy.refused(from, ((JoinRefused) message).reason());
            }
            return; // from a member that would not have us: its gossip is not ours to apply
        } else if (message instanceof Sync) {
            ((Sync) message).members().forEach(this::applyListed);
        }
        ((SwimMessage) message).updates().forEach(this::apply);
        if (message instanceof Ping) {
            prober.onPing(from, (Ping) message);
        } else if (message instanceof Ack) {
            prober.onAck((Ack) message);
        } else if (message instanceof PingReq) {
            prober.onPingReq(from, (PingReq) message);
        } else if (message instanceof JoinRequest) {
            onJoinRequest((JoinRequest) message);
        } else if (message instanceof Leave) {
            apply(((Leave) message).leaver());
        } else if (message instanceof Sync && !((Sync) message).reply()) {
            transport.send(from, new Sync(members(), true, piggyback(from)));
        }
    }

    private void onJoinRequest(JoinRequest req) {
        Member joiner = req.joiner();
        if (joiner.id().equals(self)) {
            return;
        }
        Optional<String> refusal = joinPolicy.admit(req);
        if (refusal.isPresent()) {
            transport.sendToAddress(joiner.address(), new JoinRefused(refusal.get(), List.of()));
            return;
        }
        apply(joiner);
        // The full list, the joiner included: if we hold it DEAD at an incarnation it has not
        // passed, it sees that claim and refutes it, as it would any gossip about itself.
        transport.send(joiner.id(), new JoinReply(joinPolicy.clusterId(), members(), piggyback(joiner.id())));
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
        prober.concludeProbe();
        prober.startProbe();
        if (periods % config.deadProbeEveryPeriods() == 0) {
            prober.probeOneDead();
        }
        if (joinSeed != null && !joined && periods % config.joinRetryPeriods() == 0) {
            sendJoin();
        }
        if (periods == nextSyncPeriod || periods % config.syncIntervalPeriods(activeCount()) == 0) {
            sendSync();
        }
        scheduleTick();
    }

    private void sendSync() {
        for (NodeId target : prober.randomAlive(1, self)) {
            transport.send(target, new Sync(members(), false, piggyback(target)));
        }
    }

    private void sendJoin() {
        transport.sendToAddress(
                joinSeed,
                new JoinRequest(members.get(self), joinPolicy.clusterId(), joinPolicy.replaces(), piggyback(null)));
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
            prober.insertIntoProbeOrder(updated.id());
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

    private void notifyListeners(Member previous, Member current) {
        for (MembershipListener l : List.copyOf(listeners)) {
            l.onMemberChange(previous, current);
        }
    }

    /** The membership as its {@link Prober} sees it. */
    private final class Host implements Prober.Host {
        @Override
        public boolean running() {
            return lifecycle == Lifecycle.RUNNING;
        }

        @Override
        public List<Member> piggyback(NodeId to) {
            return SwimMembership.this.piggyback(to);
        }

        @Override
        public void accept(Member previous, Member updated) {
            SwimMembership.this.accept(previous, updated);
        }
    }
}
