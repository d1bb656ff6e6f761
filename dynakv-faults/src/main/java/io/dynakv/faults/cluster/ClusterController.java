package io.dynakv.faults.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Starts a cluster of real nodes through the real join path and applies process faults to them by
 * slot: kill -9 and restart, SIGSTOP/SIGCONT, restart with a skewed clock, and remove-and-replace
 * (the operator's {@code DELETE /membership/{id}}, then a new node with an empty data directory).
 * Every wait is bounded. Driven by one thread (the runner, then the nemesis).
 */
public final class ClusterController implements AutoCloseable {

    private static final Duration START_WITHIN = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Network network;
    private final Path jar;
    private final Path dir;
    private final int basePort;
    private final Http http = new Http();
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<Integer> generations = new ArrayList<>();

    /**
     * @param basePort slot s of generation g listens on {@code basePort + s + 10 g} (node-to-node:
     *     that + 10000)
     */
    public ClusterController(Network network, Path jar, Path dir, int basePort) {
        this.network = network;
        this.jar = jar;
        this.dir = dir;
        this.basePort = basePort;
    }

    /** Starts {@code count} nodes, all joining through the first, and waits until all list all as up. */
    public void start(int count) {
        for (int slot = 0; slot < count; slot++) {
            generations.add(0);
            NodeProcess node = newNode(slot, slot == 0 ? null : nodes.get(0).address());
            nodes.add(node);
            node.launch(ClockShift.NONE);
            if (slot == 0) {
                awaitServing(node);
            }
        }
        nodes.forEach(this::awaitServing);
        awaitAllUp(START_WITHIN);
    }

    public int size() {
        return nodes.size();
    }

    /** The address of every slot's current node, dead or alive (a client does not know). */
    public List<String> addresses() {
        return nodes.stream().map(NodeProcess::address).toList();
    }

    public String describe(int slot) {
        return nodes.get(slot).describe();
    }

    public void kill9(int slot) {
        nodes.get(slot).kill9();
    }

    /** Starts the slot's node again (same data directory), its clock shifted by {@code clockOffsetMillis}. */
    public void restart(int slot, long clockOffsetMillis) {
        restart(slot, new ClockShift(clockOffsetMillis, 0, 0));
    }

    /** Starts the slot's node again (same data directory), its wall clock shifted and stepped by {@code clock}. */
    public void restart(int slot, ClockShift clock) {
        NodeProcess node = nodes.get(slot);
        node.kill9();
        node.launch(clock);
        awaitServing(node);
    }

    public void pause(int slot) {
        nodes.get(slot).pause();
    }

    public void resume(int slot) {
        nodes.get(slot).resume();
    }

    /**
     * Kills the slot's node for good, waits until another member lists it as down, removes it
     * ({@code DELETE /membership/{id}}) and starts a replacement on a new port with an empty data
     * directory, joining through another member. Returns once the replacement serves.
     */
    public void replace(int slot) throws InterruptedException {
        NodeProcess old = nodes.get(slot);
        String id = nodeId(old);
        old.kill9();
        String member = nodes.get((slot + 1) % nodes.size()).address();
        awaitView(member, view -> statusOf(view, old.address()).equals("down"), old.name() + " down");
        Http.Response removed = request(() -> http.delete(member, "/membership/" + id));
        if (removed.status() != 200) {
            throw new IllegalStateException("removing " + old.describe() + " answered " + removed);
        }
        generations.set(slot, generations.get(slot) + 1);
        NodeProcess replacement = newNode(slot, member);
        nodes.set(slot, replacement);
        replacement.launch(ClockShift.NONE);
        awaitServing(replacement);
    }

    /** Waits until every node answers and lists exactly the current nodes, all up. */
    public void awaitAllUp(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(node -> allUpIn(node.address()))) {
                return;
            }
            sleep(POLL);
        }
        throw new IllegalStateException("not every node lists all " + nodes.size() + " as up within " + within);
    }

    /** SIGTERM to every node (SIGKILL after 30 s). */
    @Override
    public void close() {
        nodes.forEach(NodeProcess::terminate);
    }

    private NodeProcess newNode(int slot, String join) {
        int generation = generations.get(slot);
        String name = "n" + (slot + 1) + (generation == 0 ? "" : "-r" + generation);
        return new NodeProcess(
                name,
                network.host(slot),
                basePort + slot + 10 * generation,
                dir,
                network.launchPrefix(slot),
                jar,
                join);
    }

    private boolean allUpIn(String address) {
        try {
            JsonNode view = http.get(address, "/membership").json();
            return view.path("active_count").asInt() == nodes.size()
                    && addresses().stream().allMatch(a -> statusOf(view, a).equals("up"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String statusOf(JsonNode view, String address) {
        for (JsonNode node : view.path("nodes")) {
            if (node.path("address").asText().equals(address)) {
                return node.path("status").asText();
            }
        }
        return "unknown";
    }

    private String nodeId(NodeProcess node) throws InterruptedException {
        return request(() -> http.get(node.address(), "/health"))
                .json()
                .path("node_id")
                .asText();
    }

    private void awaitView(String member, Predicate<JsonNode> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.test(http.get(member, "/membership").json())) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet: poll again
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException(member + " did not see " + what + " within " + START_WITHIN);
    }

    private void awaitServing(NodeProcess node) {
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.isAlive()) {
                throw new IllegalStateException("node exited before serving: " + node.describe());
            }
            try {
                if (http.get(node.address(), "/health").status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // starting: poll again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(POLL);
        }
        throw new IllegalStateException("node did not serve within " + START_WITHIN + ": " + node.describe());
    }

    private interface Call {
        Http.Response call() throws IOException, InterruptedException;
    }

    /** One control request, retried a few times: control requests must not fail on a blip. */
    private static Http.Response request(Call call) throws InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return call.call();
            } catch (IOException e) {
                last = e;
                Thread.sleep(POLL.toMillis());
            }
        }
        throw new IllegalStateException("control request failed 5 times", last);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
