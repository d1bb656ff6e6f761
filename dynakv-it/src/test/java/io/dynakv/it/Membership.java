package io.dynakv.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One node's view of the cluster, as its {@code GET /membership} answers: every node it knows with
 * its status ({@code up|suspect|down|left|joining|leaving}), incarnation and the number of
 * partitions it holds in the ring, plus the count of active nodes and the ring's epoch.
 */
record Membership(
        String observer, List<Member> nodes, int activeCount, int partitions, int replicationFactor, long ringEpoch) {

    /** What a status is called when the view does not list the node at all. */
    static final String ABSENT = "absent";

    /** One node in a view. */
    record Member(
            String address,
            String peerAddress,
            String nodeId,
            String status,
            long incarnation,
            int partitions,
            boolean self) {}

    /** Parses a 200 answer of {@code GET /membership} from the node at {@code observer}. */
    static Membership parse(String observer, KvClient.Response response) {
        if (response.status() != 200) {
            throw new AssertionError("GET /membership on " + observer + " answered " + response);
        }
        JsonNode json = response.json();
        List<Member> members = new ArrayList<>();
        for (JsonNode node : json.path("nodes")) {
            members.add(new Member(
                    node.path("address").asText(),
                    node.path("peer_address").asText(),
                    node.path("node_id").asText(),
                    node.path("status").asText(),
                    node.path("incarnation").asLong(-1),
                    node.path("partitions").asInt(-1),
                    node.path("self").asBoolean(false)));
        }
        return new Membership(
                observer,
                List.copyOf(members),
                json.path("active_count").asInt(-1),
                json.path("partitions").asInt(-1),
                json.path("replication_factor").asInt(-1),
                json.path("ring_epoch").asLong(-1));
    }

    Optional<Member> member(String address) {
        return nodes.stream().filter(m -> m.address().equals(address)).findFirst();
    }

    /** The status this view gives the node at {@code address}, or {@link #ABSENT}. */
    String statusOf(String address) {
        return member(address).map(Member::status).orElse(ABSENT);
    }

    /** Partitions the node at {@code address} holds in this view's ring; 0 when absent. */
    int partitionsOf(String address) {
        return member(address).map(Member::partitions).orElse(0);
    }

    /** True when exactly the nodes at {@code addresses} are up, none other is active, and the count says so. */
    boolean exactlyUp(Collection<String> addresses) {
        long up = nodes.stream().filter(m -> m.status().equals("up")).count();
        return activeCount == addresses.size()
                && up == addresses.size()
                && addresses.stream().allMatch(a -> statusOf(a).equals("up"));
    }

    /** One line for a failure message or a log: {@code epoch 3, active 3: 127.0.0.1:P up/1 256p, ...}. */
    String summary() {
        StringBuilder line = new StringBuilder(
                String.format(Locale.ROOT, "view of %s: epoch %d, active %d:", observer, ringEpoch, activeCount));
        for (Member m : nodes) {
            line.append(String.format(
                    Locale.ROOT,
                    " %s%s %s/%d %dp;",
                    m.address(),
                    m.self() ? "(self)" : "",
                    m.status(),
                    m.incarnation(),
                    m.partitions()));
        }
        return line.toString();
    }
}
