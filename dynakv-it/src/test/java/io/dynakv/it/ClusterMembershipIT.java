package io.dynakv.it;

import static io.dynakv.it.ClusterHarness.addresses;
import static io.dynakv.it.ClusterHarness.allUp;
import static io.dynakv.it.ClusterHarness.awaitViews;
import static io.dynakv.it.ClusterHarness.everyoneSees;
import static io.dynakv.it.ClusterHarness.oneRingHolding;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cluster membership as an operator drives it, with real processes at the default gossip interval
 * (500 ms): nodes join through any member's HTTP address, a new node joins a cluster that holds
 * data and serves all of it, a node started with {@code --leave-on-shutdown} leaves on SIGTERM
 * without losing an acknowledged write, and a node with the wrong {@code DYNAKV_CLUSTER_SECRET} is
 * kept out (DESIGN "Messages and transport": "a node with the wrong secret can send nothing").
 *
 * <p>Fault model: none beyond the clean stop of a leaving node; see {@link ClusterFaultsIT} for
 * crashes and pauses. Times are measured by polling every node's {@code /membership} every 50 ms
 * and printed; the assertions only hold them to the 10 s bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterMembershipIT {

    /** How soon every member must show a membership change (join, leave). */
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(10);

    private static final String SECRET = "DYNAKV_CLUSTER_SECRET";

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void threeNodesFormAClusterAndServeEachOthersWrites() throws Exception {
        NodeProcess n1 = nodes.startMember("n1", null, Map.of());
        NodeProcess n2 = nodes.spawnMember("n2", n1, Map.of());
        NodeProcess n3 = nodes.spawnMember("n3", n1, Map.of()); // both join at once, through n1
        long lastStart = Math.max(n2.launchNanos(), n3.launchNanos());
        n2.awaitServing();
        n3.awaitServing();
        long serving = System.nanoTime() - lastStart;
        List<NodeProcess> all = List.of(n1, n2, n3);

        ClusterHarness.Waited formed = awaitViews(
                all,
                allUp(addresses(all)).and(oneRingHolding(addresses(all))),
                "every node lists all three as up with active_count 3, in one ring that includes all three",
                lastStart,
                VISIBLE_WITHIN);
        System.out.printf(
                Locale.ROOT,
                "[ClusterMembershipIT] join: last two nodes launched together; both served (/health 200) %.2f s"
                        + " after launch; all three up in every view %s after launch%n",
                serving / 1e9,
                formed.formatted());

        for (Membership view : formed.views()) {
            assertThat(view.replicationFactor())
                    .as("replication_factor; %s", view.summary())
                    .isEqualTo(3);
            for (NodeProcess node : all) {
                Membership.Member member = view.member(node.address()).orElseThrow();
                assertThat(member.nodeId())
                        .as("node_id of %s in the %s", node.name(), view.summary())
                        .isEqualTo(node.nodeId());
                assertThat(member.self())
                        .as("'self' of %s in the %s", node.name(), view.summary())
                        .isEqualTo(view.observer().equals(node.address()));
                assertThat(member.partitions())
                        .as(
                                "partitions of %s in the %s: with N=3 on 3 nodes each holds all",
                                node.name(), view.summary())
                        .isEqualTo(view.partitions());
            }
        }

        JsonNode value = KvClient.MAPPER.readTree("{\"written\":\"through n1\"}");
        KvClient.Response put = n1.client().put("formed", value);
        assertThat(put.status()).as("PUT through n1: %s", put).isEqualTo(201);
        for (NodeProcess reader : List.of(n2, n3)) {
            KvClient.Response got = reader.client().get("formed");
            assertThat(got.status())
                    .as("GET through %s of a key written through n1: %s", reader.name(), got)
                    .isEqualTo(200);
            assertThat(got.json().get("value"))
                    .as("value read through %s", reader.name())
                    .isEqualTo(value);
            assertThat(got.version())
                    .as("version read through %s", reader.name())
                    .isEqualTo(put.version());
        }
        for (NodeProcess node : all) { // N=3 on 3 nodes: the write goes to every node's own replica
            Map<String, WriteLoad.Ack> one =
                    Map.of("formed", new WriteLoad.Ack(value, put.version(), WriteLoad.Outcome.PRESENT));
            AckedReads.CatchUp held = AckedReads.awaitReplica(node, one, System.nanoTime(), VISIBLE_WITHIN);
            assertThat(held.missing())
                    .as("%s's own replica (local=true) of the key", node.name())
                    .isEmpty();
        }
        ClusterHarness.stopAll(all);
    }

    /**
     * A 4th node joins a cluster holding data, serves every key, and accepts writes from the
     * moment it answers {@code /health} 200. Regression (found here, fixed): writes through it
     * failed while it streamed, in two ways. (1) Its coordinator reads its own replica to mint a
     * version, and that read is refused for a partition still streaming in: 503. It now forwards
     * such writes to a complete replica. (2) Serving before the ring with itself in it arrived, it
     * forwarded writes to replicas that did not know its address yet, so their answers were lost:
     * 504. The transport now answers a node at the address its handshake proved.
     */
    @Test
    void aFourthNodeJoinsAClusterHoldingDataAndServesEveryKey() throws Exception {
        List<NodeProcess> three = ClusterHarness.startSettled(nodes, 3, Map.of());
        Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
        ClusterHarness.writeKeys(ClusterHarness.clients(three), "before-join", 2_000, 4, acked);

        NodeProcess n4 = nodes.startMember("n4", three.get(1), Map.of()); // joins through n2, not the first node
        double serving = (System.nanoTime() - n4.launchNanos()) / 1e9;
        // A client may send writes to a node as soon as it serves; none may be refused.
        Map<String, WriteLoad.Ack> throughN4 = new ConcurrentHashMap<>();
        WriteLoad load =
                new WriteLoad(List.of(n4.client()), "", "via-n4", 2, Duration.ofSeconds(3), throughN4, Set.of(), 0);
        load.start();
        List<NodeProcess> four = List.of(three.get(0), three.get(1), three.get(2), n4);
        ClusterHarness.Waited joined = awaitViews(
                four,
                allUp(addresses(four)).and(oneRingHolding(addresses(four))),
                "n4 up in every view (active_count 4), all at one ring epoch in which n4 holds partitions",
                n4.launchNanos(),
                VISIBLE_WITHIN);
        load.finish();
        Membership n4View = joined.views().get(3);

        Map<String, String> wrong = AckedReads.mismatches(n4.client(), "", acked, acked.keySet());
        assertThat(wrong)
                .as(
                        "keys written before the join, read through the new node (default r):%n  %s; %s",
                        AckedReads.first(wrong, 20), n4.describe())
                .isEmpty();
        wrong = AckedReads.mismatches(three.get(0).client(), "", throughN4, throughN4.keySet());
        assertThat(wrong)
                .as("keys written through the new node, read through n1:%n  %s", AckedReads.first(wrong, 20))
                .isEmpty();

        ClusterHarness.Waited streamed =
                ClusterHarness.awaitStreamsDone(List.of(n4), n4.launchNanos(), Duration.ofSeconds(60));
        int heldByN4 = acked.size()
                - AckedReads.mismatches(n4.client(), "local=true", acked, acked.keySet())
                        .size();
        System.out.printf(
                Locale.ROOT,
                "[ClusterMembershipIT] 4th node: served %.2f s after launch, up with a share of the ring in every"
                        + " view %s after launch, streams done %s after launch; holds %d of %d partitions and"
                        + " %d of %d keys on its own replica; writes through it from the moment it served: %s%n",
                serving,
                joined.formatted(),
                streamed.formatted(),
                n4View.partitionsOf(n4.address()),
                n4View.partitions(),
                heldByN4,
                acked.size(),
                load.counts());
        // The regression (see the method comment): 503 "... partition P is still streaming to this
        // node", or no answer within 5 s (a forwarded write that was never answered).
        List<String> refused = new ArrayList<>(load.unexpected);
        refused.addAll(load.noAnswer);
        assertThat(refused)
                .as("writes through the new node after it served (/health 200) that got no 201: %s", load.counts())
                .isEmpty();
        assertThat(load.acked.get())
                .as("writes through the new node acknowledged")
                .isPositive();
        ClusterHarness.stopAll(four);
    }

    @Test
    void aLeavingNodeExitsZeroIsListedAsLeftAndNoAcknowledgedWriteIsLost() throws Exception {
        List<NodeProcess> three = ClusterHarness.startSettled(nodes, 3, Map.of());
        NodeProcess leaver = nodes.startMember("n4", three.get(0), Map.of(), "--leave-on-shutdown");
        List<NodeProcess> four = List.of(three.get(0), three.get(1), three.get(2), leaver);
        awaitViews(
                four,
                allUp(addresses(four)).and(oneRingHolding(addresses(four))),
                "four nodes up, n4 holding partitions",
                leaver.launchNanos(),
                VISIBLE_WITHIN);
        ClusterHarness.awaitStreamsDone(four, System.nanoTime(), Duration.ofSeconds(30));
        Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
        ClusterHarness.writeKeys(ClusterHarness.clients(four), "before-leave", 2_000, 4, acked);
        int leaverPartitions = ClusterHarness.view(leaver).partitionsOf(leaver.address());

        // Writes keep coming through the remaining nodes while n4 leaves and the ring changes. A 503
        // is tolerated (not acknowledged, so it promises nothing): while the ring changes a write
        // may be refused, and the partitions of n4 stream to the others (see the join test's regression).
        WriteLoad load = new WriteLoad(
                ClusterHarness.clients(three), "", "during-leave", 3, Duration.ofSeconds(5), acked, Set.of(503), 0);
        load.start();
        NodeProcess.sleep(Duration.ofSeconds(1));
        long sigterm = System.nanoTime();
        int exitCode = leaver.terminate();
        double exitSeconds = (System.nanoTime() - sigterm) / 1e9;
        assertThat(exitCode)
                .as(
                        "exit code of a node with --leave-on-shutdown after SIGTERM; %s%n%s",
                        leaver.describe(), leaver.logTail(20))
                .isZero();
        ClusterHarness.Waited left = awaitViews(
                three,
                everyoneSees(leaver.address(), "left").and(allUp(addresses(three))),
                "n4 listed as left and active_count 3 on the remaining nodes",
                sigterm,
                VISIBLE_WITHIN);
        load.finish();
        System.out.printf(
                Locale.ROOT,
                "[ClusterMembershipIT] leave: n4 held %d partitions; exited %.2f s after SIGTERM; 'left' and"
                        + " active_count 3 everywhere %s after SIGTERM; load during the leave: %s%n",
                leaverPartitions,
                exitSeconds,
                left.formatted(),
                load.counts());
        assertThat(load.unexpected)
                .as("answers other than 201 and 503 through the remaining nodes while n4 left; %s", load.counts())
                .isEmpty();
        assertThat(load.acked.get()).as("writes acknowledged during the leave").isPositive();
        for (Membership view : left.views()) {
            assertThat(view.partitionsOf(leaver.address()))
                    .as("partitions of the node that left, in the %s", view.summary())
                    .isZero();
        }

        // Each key is read through one of the remaining nodes, in turn, so each node coordinates a third.
        List<String> keys = new ArrayList<>(acked.keySet());
        for (int r = 0; r < three.size(); r++) {
            NodeProcess reader = three.get(r);
            List<String> share = new ArrayList<>();
            for (int i = r; i < keys.size(); i += three.size()) {
                share.add(keys.get(i));
            }
            Map<String, String> wrong = AckedReads.mismatches(reader.client(), "r=quorum", acked, share);
            assertThat(wrong)
                    .as(
                            "acknowledged keys read with r=quorum through %s after n4 left (%d of %d keys):%n  %s",
                            reader.name(), wrong.size(), share.size(), AckedReads.first(wrong, 20))
                    .isEmpty();
        }
        ClusterHarness.stopAll(three);
    }

    /**
     * Observed (node at commit d4a866e + working tree of 2026-11-22): the HTTP lookup of the member
     * succeeds (it is not authenticated), then every peer handshake is refused; the node logs
     * "refused: the other node does not hold this cluster's secret; check DYNAKV_CLUSTER_SECRET"
     * every 2 s, keeps running in status "joining" (health 503, key requests 503 "the node is
     * joining"), and does not give up even past {@code --join-timeout-ms}, which only bounds the
     * HTTP lookup. The test accepts either outcome an operator can act on: still out of the
     * cluster and serving nothing, or exit 1 naming the secret.
     */
    @Test
    void aNodeWithTheWrongSecretIsKeptOutAndServesNoClusterData() throws Exception {
        Map<String, String> secret = Map.of(SECRET, "it-secret-" + System.nanoTime());
        List<NodeProcess> three = ClusterHarness.startSettled(nodes, 3, secret);
        JsonNode value = KvClient.MAPPER.readTree("{\"secret\":\"data\"}");
        assertThat(three.get(0).client().put("members-only", value).status()).isEqualTo(201);

        NodeProcess intruder = nodes.spawnMember(
                "intruder", three.get(0), Map.of(SECRET, "another-secret"), "--join-timeout-ms", "5000");
        KvClient intruderClient = new KvClient(intruder.port(), Duration.ofSeconds(1));
        Map<String, Integer> seen = new HashMap<>(); // what the intruder answered, by request and status
        String intruderId = null; // from its /health body, once it answers
        long deadline = intruder.launchNanos() + VISIBLE_WITHIN.toNanos();
        for (int poll = 0; poll < 1_000 && System.nanoTime() < deadline && intruder.isAlive(); poll++) {
            for (NodeProcess member : three) {
                Membership view = ClusterHarness.view(member);
                assertThat(view.statusOf(intruder.address()))
                        .as("the node with another secret in a member's view: %s", view.summary())
                        .isEqualTo(Membership.ABSENT);
                String id = intruderId;
                assertThat(view.nodes())
                        .as("the node with another secret (node_id %s) in a member's view: %s", id, view.summary())
                        .noneMatch(m -> m.nodeId().equals(id));
                assertThat(view.exactlyUp(addresses(three))).as(view.summary()).isTrue();
            }
            intruderId = intruderId != null ? intruderId : nodeIdOrNull(intruderClient);
            record(seen, "health", () -> intruderClient.health());
            record(seen, "GET", () -> intruderClient.get("members-only"));
            NodeProcess.sleep(Duration.ofMillis(250));
        }
        assertThat(seen.getOrDefault("health 200", 0))
                .as(
                        "/health 200 answers of the node with another secret (all answers: %s); %s",
                        seen, intruder.describe())
                .isZero();
        assertThat(seen.getOrDefault("GET 200", 0))
                .as("reads of cluster data through the node with another secret (all answers: %s)", seen)
                .isZero();

        String outcome;
        if (intruder.isAlive()) {
            KvClient.Response health = intruderClient.health();
            KvClient.Response put = intruderClient.put("intruder-write", value);
            Membership intruderView = ClusterHarness.view(intruder);
            outcome = "still running after " + VISIBLE_WITHIN.toSeconds() + " s; health " + health + "; PUT " + put
                    + "; its " + intruderView.summary();
            assertThat(health.status())
                    .as("health of the refused node: %s", outcome)
                    .isEqualTo(503);
            assertThat(put.status())
                    .as("a PUT through the refused node: %s", outcome)
                    .isEqualTo(503);
            for (NodeProcess member : three) {
                assertThat(intruderView.statusOf(member.address()))
                        .as("a member in the refused node's own view: %s", outcome)
                        .isNotEqualTo("up");
            }
        } else {
            outcome = "exited with code " + intruder.exitCode();
            assertThat(intruder.exitCode()).as("exit code of the refused node").isEqualTo(1);
        }
        assertThat(intruderId)
                .as("the refused node's node_id from its /health body")
                .isNotNull();
        System.out.printf(
                Locale.ROOT,
                "[ClusterMembershipIT] wrong secret: node %s answered %s; %s%n",
                intruderId,
                seen,
                outcome);
        assertThat(intruder.logTail(200)
                        .lines()
                        .filter(line -> !line.startsWith("==== dynakv-it")) // the harness's own header
                        .filter(line -> line.contains(SECRET))
                        .count())
                .as("lines of the refused node's log that name %s as the cause; %s", SECRET, intruder.describe())
                .isPositive();
        assertThat(three.get(2).client().get("members-only").json().get("value"))
                .as("the cluster still serves")
                .isEqualTo(value);
        if (intruder.isAlive()) {
            assertThat(intruder.terminate())
                    .as("exit code of the refused node after SIGTERM")
                    .isZero();
        }
        ClusterHarness.stopAll(three);
    }

    /** A request to the node under test whose answer is counted by status ("GET 503"), or by "no answer". */
    private interface Request {
        KvClient.Response send() throws Exception;
    }

    private static void record(Map<String, Integer> seen, String what, Request request) {
        String outcome;
        try {
            outcome = what + " " + request.send().status();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (Exception e) {
            outcome = what + " no answer";
        }
        seen.merge(outcome, 1, Integer::sum);
    }

    /** The {@code node_id} in a node's {@code /health} body (200 or 503), or null when it does not answer. */
    private static String nodeIdOrNull(KvClient client) throws InterruptedException {
        try {
            String id = client.health().json().path("node_id").asText("");
            return id.isEmpty() ? null : id;
        } catch (IOException | AssertionError e) {
            return null;
        }
    }
}
