package io.dynakv.it;

import static io.dynakv.it.ClusterHarness.awaitViews;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster knows who belongs to it (docs/cluster-identity.md): a node wiped and restarted at a
 * member's address is not taken for a new member nor founds a second cluster there, a node of
 * another cluster cannot talk to this one, and {@code --replace} puts a new node in a dead one's
 * place. Real processes at the default gossip interval (500 ms); no faults beyond the stops the
 * scenarios name. Nodes are told apart by node id, since a replacement shares its address with
 * the node it replaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterIdentityIT {

    /** The command a wiped node prints: {@code bin/dynakv <its address> <a member> --replace <old id>}. */
    private static final Pattern REPLACE_COMMAND = Pattern.compile("bin/dynakv (\\S+) (\\S+) --replace ([0-9a-f]{16})");

    private static final Duration SEEN_WITHIN = Duration.ofSeconds(20);
    private static final Duration STREAMED_WITHIN = Duration.ofSeconds(90);

    @RegisterExtension
    final Nodes nodes = new Nodes();

    /**
     * Issue 9 item 4, as tried by an operator: the seed of a 3-node cluster is stopped, its data
     * directory deleted, and it is started again with its usual command (no join address). Before
     * the fix it came back as a stranger (a new member, or a one-node cluster of its own) while its
     * old identity stayed in the ring, down, holding its replicas for good. Now it stops with the
     * replace command once a member dials it; following that command, it takes its old identity's
     * place, and every key written before is readable through it with r=all.
     */
    @Test
    void wipedSeedNodeRestartedWithItsUsualCommandIsNotAStranger() throws Exception {
        List<NodeProcess> three = settled(3);
        NodeProcess seed = three.get(0);
        List<NodeProcess> others = three.subList(1, 3);
        String oldId = seed.nodeId();
        Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
        ClusterHarness.writeKeys(ClusterHarness.clients(three), "before-wipe", 600, 3, acked);

        assertThat(seed.terminate()).as("exit code of the seed after SIGTERM").isZero();
        long stopped = System.nanoTime();
        awaitViews(others, seenAs(oldId, "down"), "the stopped seed down in the others' views", stopped, SEEN_WITHIN);
        wipe(seed.dataDir());
        seed.relaunch(); // its usual command: same address, flags and (now empty) data directory
        long relaunched = System.nanoTime();

        int exit;
        try {
            exit = seed.awaitOwnExit(Duration.ofSeconds(60));
        } catch (AssertionError stillRunning) {
            throw new AssertionError(
                    "the wiped seed, restarted with its usual command, neither stopped with the replace command"
                            + " nor took over its old identity within 60 s; views: " + summaries(others) + "\n"
                            + stillRunning.getMessage(),
                    stillRunning);
        }
        double refusedAfter = (System.nanoTime() - relaunched) / 1e9;
        String log = seed.logTail(400);
        Matcher command = REPLACE_COMMAND.matcher(log);
        assertThat(command.find())
                .as("the wiped seed exited %d; its log must say how to replace: %s", exit, seed.logTail(20))
                .isTrue();
        assertThat(exit)
                .as("exit code of the wiped seed that refused to be a stranger")
                .isEqualTo(1);
        assertThat(command.group(1)).as("address in the printed command").isEqualTo(seed.address());
        assertThat(command.group(3)).as("node id in the printed command").isEqualTo(oldId);
        assertThat(ClusterHarness.addresses(others))
                .as("the member the printed command joins through")
                .contains(command.group(2));
        for (NodeProcess member : others) {
            Membership view = ClusterHarness.view(member);
            assertThat(view.nodes())
                    .as("nodes at the seed's address in a member's view (no stranger absorbed): %s", view.summary())
                    .filteredOn(m -> m.address().equals(seed.address()))
                    .extracting(Membership.Member::nodeId)
                    .containsExactly(oldId);
        }

        List<String> args = new ArrayList<>(seed.extraArgs());
        args.addAll(List.of("--replace", command.group(3)));
        NodeProcess back = nodes.spawnAt("n1-replacing", seed.port(), seed.dataDir(), command.group(2), args);
        back.awaitServing();
        String newId = back.nodeId();
        List<NodeProcess> now = List.of(back, others.get(0), others.get(1));
        ClusterHarness.Waited replaced = awaitViews(
                now,
                gone(oldId).and(upHolding(newId, 256)).and(oneEpoch()),
                "old id " + oldId + " left or gone and new id " + newId + " up with all 256 partitions, in every view",
                relaunched,
                Duration.ofSeconds(90));
        ClusterHarness.awaitStreamsDone(List.of(back), System.nanoTime(), STREAMED_WITHIN);

        Map<String, String> wrong = AckedReads.mismatches(back.client(), "r=all", acked, acked.keySet());
        assertThat(wrong)
                .as(
                        "keys written before the wipe, read with r=all through the replacement:%n  %s",
                        AckedReads.first(wrong, 20))
                .isEmpty();
        System.out.printf(
                Locale.ROOT,
                "[ClusterIdentityIT] wiped seed: stopped with the replace command %.2f s after its restart; replaced"
                        + " (old id gone, new id up holding its partitions in every view) %s after the restart;"
                        + " %d keys read back with r=all%n",
                refusedAfter,
                replaced.formatted(),
                acked.size());
        ClusterHarness.stopAll(now);
    }

    /**
     * A wiped member that is not the seed, restarted with its usual command, which names a member
     * to join through: before the fix it was admitted as a new member while its old identity
     * stayed in the ring, down, for good. Now the member refuses a new node at a down member's
     * address and answers with the replace command, and the node exits 1 with it.
     */
    @Test
    void wipedMemberRestartedWithItsUsualJoinCommandIsToldHowToReplace() throws Exception {
        List<NodeProcess> three = settled(3);
        NodeProcess member = three.get(2);
        List<NodeProcess> others = three.subList(0, 2);
        String oldId = member.nodeId();
        assertThat(member.terminate()).isZero();
        awaitViews(others, seenAs(oldId, "down"), "the stopped member down", System.nanoTime(), SEEN_WITHIN);
        wipe(member.dataDir());
        NodeProcess again = nodes.spawnAt(
                "n3-wiped", member.port(), member.dataDir(), others.get(0).address(), member.extraArgs());

        int exit;
        try {
            exit = again.awaitOwnExit(Duration.ofSeconds(60));
        } catch (AssertionError stillRunning) {
            throw new AssertionError(
                    "the wiped member, restarted with its usual join command, was not refused within 60 s; views: "
                            + summaries(others) + "\n" + stillRunning.getMessage(),
                    stillRunning);
        }
        Matcher command = REPLACE_COMMAND.matcher(again.logTail(200));
        assertThat(command.find())
                .as("the refused node exited %d; its log must say how to replace: %s", exit, again.logTail(20))
                .isTrue();
        assertThat(exit).as("exit code of the refused node").isEqualTo(1);
        assertThat(List.of(command.group(1), command.group(2), command.group(3)))
                .as("address, member to join through and node id in the printed command")
                .containsExactly(member.address(), others.get(0).address(), oldId);
        for (NodeProcess m : others) {
            Membership view = ClusterHarness.view(m);
            assertThat(view.nodes())
                    .as("nodes at the wiped member's address in a member's view: %s", view.summary())
                    .filteredOn(n -> n.address().equals(member.address()))
                    .extracting(Membership.Member::nodeId)
                    .containsExactly(oldId);
        }
        ClusterHarness.stopAll(others);
    }

    /**
     * A node of cluster B, restarted with its data and pointed at a member of cluster A (same
     * secret: the default), never takes part in A: before the fix A admitted it (its own ring then
     * competed with A's). Now the handshakes between them are refused (another cluster id).
     */
    @Test
    void nodeOfAnotherClusterCannotConnect() throws Exception {
        List<NodeProcess> clusterA = settled(2);
        NodeProcess b = nodes.startMember("b1", null, Map.of());
        String bId = b.nodeId();
        JsonNode value = KvClient.MAPPER.readTree("{\"cluster\":\"a\"}");
        assertThat(clusterA.get(0).client().put("only-in-a", value).status()).isEqualTo(201);
        assertThat(b.client().put("only-in-b", value).status()).isEqualTo(201);
        String idA = clusterIdOf(clusterA.get(0));
        assertThat(clusterIdOf(clusterA.get(1)))
                .as("cluster_id of A's second node")
                .isEqualTo(idA);
        assertThat(clusterIdOf(b)).as("cluster_id of B, founded apart").isNotEqualTo(idA);
        long epochA = ClusterHarness.view(clusterA.get(0)).ringEpoch();
        List<String> idsA = new ArrayList<>();
        for (NodeProcess a : clusterA) {
            idsA.add(a.nodeId());
        }

        assertThat(b.terminate()).isZero();
        NodeProcess intruder = nodes.spawnAt(
                "b1-into-a", b.port(), b.dataDir(), clusterA.get(0).address(), b.extraArgs());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int polls = 0;
        for (; polls < 300 && System.nanoTime() < deadline; polls++) {
            for (NodeProcess a : clusterA) {
                Membership view = ClusterHarness.view(a);
                assertThat(view.nodes())
                        .as("cluster A's view with node %s of cluster B knocking: %s", bId, view.summary())
                        .noneMatch(m -> m.nodeId().equals(bId));
                assertThat(view.ringEpoch())
                        .as("cluster A's ring: %s", view.summary())
                        .isEqualTo(epochA);
            }
            if (intruder.isAlive()) {
                try {
                    Membership view = Membership.parse(
                            intruder.address(), new KvClient(intruder.port(), Duration.ofSeconds(1)).membership());
                    assertThat(view.nodes())
                            .as("the intruder's own view: %s", view.summary())
                            .noneMatch(m -> idsA.contains(m.nodeId()));
                } catch (IOException | AssertionError notAnswering) {
                    // starting, or stopped: what matters is cluster A's view
                }
            }
            NodeProcess.sleep(Duration.ofMillis(50));
        }
        assertThat(clusterA.get(1).client().get("only-in-b").status())
                .as("a key of cluster B read through cluster A")
                .isEqualTo(404);
        assertThat(clusterA.get(1).client().get("only-in-a").status()).isEqualTo(200);
        System.out.printf(
                Locale.ROOT,
                "[ClusterIdentityIT] another cluster: node %s of cluster B never in cluster A's views over %d polls;"
                        + " B's node %s%n",
                bId,
                polls,
                intruder.isAlive() ? "still runs on its own" : "exited " + intruder.exitCode());
        if (intruder.isAlive()) {
            intruder.terminate();
        }
        ClusterHarness.stopAll(clusterA);
    }

    /**
     * An operator replaces a dead node (kill -9, never coming back) of a 4-node cluster with a new
     * node ({@code --replace <id>}): the new node takes exactly the dead node's partitions (the
     * others keep theirs), the dead id is listed as left or gone, and every key written before is
     * readable with r=all through the new node. Impossible before the fix (no such flag).
     */
    @Test
    void replaceTakesOverTheDeadNodesPartitions() throws Exception {
        List<NodeProcess> four = settled(4);
        Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
        ClusterHarness.writeKeys(ClusterHarness.clients(four), "before-replace", 600, 4, acked);
        NodeProcess dead = four.get(3);
        List<NodeProcess> three = four.subList(0, 3);
        String deadId = dead.nodeId();
        Membership before = ClusterHarness.view(four.get(0));
        int deadPartitions = before.partitionsOf(dead.address());
        Map<String, Integer> kept = new ConcurrentHashMap<>();
        for (NodeProcess n : three) {
            kept.put(n.nodeId(), before.partitionsOf(n.address()));
        }

        dead.kill9();
        long killed = System.nanoTime();
        awaitViews(three, seenAs(deadId, "down"), "the killed node down everywhere", killed, SEEN_WITHIN);
        NodeProcess fresh = nodes.spawnMember("n5", four.get(1), Map.of(), "--replace", deadId);
        fresh.awaitServing();
        String freshId = fresh.nodeId();
        List<NodeProcess> now = List.of(four.get(0), four.get(1), four.get(2), fresh);
        Predicate<List<Membership>> othersKeep =
                views -> views.stream().allMatch(v -> kept.entrySet().stream().allMatch(e -> byId(v, e.getKey())
                        .map(m -> m.status().equals("up") && m.partitions() == e.getValue())
                        .orElse(false)));
        ClusterHarness.Waited replaced = awaitViews(
                now,
                gone(deadId)
                        .and(upHolding(freshId, deadPartitions))
                        .and(othersKeep)
                        .and(oneEpoch()),
                "dead " + deadId + " left or gone, " + freshId + " up with its " + deadPartitions
                        + " partitions, the others with theirs " + kept,
                fresh.launchNanos(),
                Duration.ofSeconds(30));
        ClusterHarness.awaitStreamsDone(List.of(fresh), fresh.launchNanos(), STREAMED_WITHIN);
        Map<String, String> wrong = AckedReads.mismatches(fresh.client(), "r=all", acked, acked.keySet());
        assertThat(wrong)
                .as(
                        "keys written before the replacement, read with r=all through the new node:%n  %s",
                        AckedReads.first(wrong, 20))
                .isEmpty();
        System.out.printf(
                Locale.ROOT,
                "[ClusterIdentityIT] replace: the new node held the dead node's %d partitions (others unchanged: %s)"
                        + " in every view %s after its launch; %d keys read back with r=all%n",
                deadPartitions,
                kept,
                replaced.formatted(),
                acked.size());
        ClusterHarness.stopAll(now);
    }

    /**
     * As {@link ClusterHarness#startSettled}, with bounds for a loaded machine (these tests start
     * up to five JVMs; the scenarios, not the start, are under test).
     */
    private List<NodeProcess> settled(int count) {
        List<NodeProcess> members = ClusterHarness.start(nodes, count, Map.of());
        awaitViews(
                members,
                ClusterHarness.allUp(ClusterHarness.addresses(members))
                        .and(ClusterHarness.oneRingHolding(ClusterHarness.addresses(members))),
                count + " nodes up in one ring",
                System.nanoTime(),
                Duration.ofSeconds(60));
        ClusterHarness.awaitStreamsDone(members, System.nanoTime(), STREAMED_WITHIN);
        return members;
    }

    /** The {@code cluster_id} a node's {@code /membership} reports. */
    private static String clusterIdOf(NodeProcess node) throws Exception {
        String id = node.client().membership().json().path("cluster_id").asText("");
        assertThat(id).as("cluster_id in /membership of %s", node.name()).matches("[0-9a-f]{16}");
        return id;
    }

    private static Optional<Membership.Member> byId(Membership view, String id) {
        return view.nodes().stream().filter(m -> m.nodeId().equals(id)).findFirst();
    }

    private static Predicate<List<Membership>> seenAs(String id, String status) {
        return views -> views.stream()
                .allMatch(v -> byId(v, id).map(m -> m.status().equals(status)).orElse(false));
    }

    /** Every view lists {@code id} as left, or not at all, and gives it no partition. */
    private static Predicate<List<Membership>> gone(String id) {
        return views -> views.stream().allMatch(v -> byId(v, id)
                .map(m -> m.status().equals("left") && m.partitions() == 0)
                .orElse(true));
    }

    private static Predicate<List<Membership>> upHolding(String id, int partitions) {
        return views -> views.stream().allMatch(v -> byId(v, id)
                .map(m -> m.status().equals("up") && m.partitions() == partitions)
                .orElse(false));
    }

    private static Predicate<List<Membership>> oneEpoch() {
        return views -> views.stream().map(Membership::ringEpoch).distinct().count() == 1;
    }

    private static String summaries(List<NodeProcess> members) {
        List<String> out = new ArrayList<>();
        for (NodeProcess m : members) {
            try {
                out.add(ClusterHarness.view(m).summary());
            } catch (AssertionError e) {
                out.add(m.address() + ": " + e.getMessage());
            }
        }
        return String.join("; ", out);
    }

    /** Deletes everything in a node's data directory, as the operator did. */
    private static void wipe(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(dir)) {
                    Files.delete(path);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
