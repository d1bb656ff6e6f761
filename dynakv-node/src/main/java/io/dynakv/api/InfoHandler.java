package io.dynakv.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.common.NodeId;
import io.dynakv.node.NodeHandle;
import io.dynakv.node.NodeState;
import io.dynakv.node.Shard;
import io.dynakv.node.cluster.ClusterControl;
import io.dynakv.node.cluster.NodeAddress;
import io.dynakv.storage.StorageStats;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The operator's endpoints: /membership, /health, /stats and /metrics. All GET only. */
final class InfoHandler {

    private final NodeHandle node;
    private final ApiMetrics metrics;

    InfoHandler(NodeHandle node, ApiMetrics metrics) {
        this.node = node;
        this.metrics = metrics;
    }

    void handle(Exchange exchange, Route route) {
        HttpServerRequest request = exchange.request;
        if (route.kind() == Route.Kind.MEMBER) {
            member(exchange, route.keyText());
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            throw HttpApi.methodNotAllowed(request, "GET");
        }
        switch (route.kind()) {
            case MEMBERSHIP:
                membership(request);
                break;
            case HEALTH:
                health(request);
                break;
            case STATS:
                stats(request);
                break;
            case METRICS:
                request.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(metrics.scrape());
                break;
            default:
                throw new IllegalStateException("not an info route: " + route.kind());
        }
    }

    /**
     * Every member this node knows, itself included: status (up, suspect, down, left), SWIM
     * incarnation, how many partitions the ring gives it, and both its addresses.
     */
    private void membership(HttpServerRequest request) {
        ClusterControl.View view = node.cluster().get().control().view();
        PartitionTable table = view.table();
        Responses.json(request, 200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("nodes");
            for (Member m : view.members()) {
                boolean self = m.id().equals(node.id());
                g.writeStartObject();
                g.writeStringField("address", NodeAddress.httpOf(m.address()));
                g.writeStringField("peer_address", NodeAddress.peerOf(m.address()));
                g.writeStringField("node_id", m.id().toString());
                g.writeStringField("status", self ? selfStatus(m) : status(m.status()));
                g.writeNumberField("incarnation", m.incarnation());
                g.writeNumberField("partitions", table == null ? 0 : table.partitionsOf(m.id()).length);
                g.writeBooleanField("self", self);
                if (self) {
                    g.writeStringField("gossip_address", m.address());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("active_count", view.activeCount());
            g.writeNumberField("partitions", node.partitioner().partitions());
            g.writeNumberField("replication_factor", node.replicasPerKey().getAsInt());
            g.writeNumberField("ring_epoch", table == null ? 0 : table.epoch());
            g.writeStringField("cluster_id", node.cluster().get().clusterId());
            g.writeEndObject();
        }));
    }

    /**
     * Operator commands: {@code DELETE /membership/{node_id}} removes a node for good (a dead one
     * that will not return; its partitions are re-replicated from the others), and {@code POST
     * /membership/leave} makes this node leave gracefully and then stop.
     */
    private void member(Exchange exchange, String target) {
        HttpServerRequest request = exchange.request;
        if (target.equals("leave")) {
            if (!request.method().equals(HttpMethod.POST)) {
                throw HttpApi.methodNotAllowed(request, "POST");
            }
            node.leave().run();
            Responses.json(request, 202, Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("node_id", node.id().toString());
                g.writeStringField("status", "leaving");
                g.writeStringField(
                        "message", "the others take over this node's partitions; the process stops once it has left");
                g.writeEndObject();
            }));
            return;
        }
        if (!request.method().equals(HttpMethod.DELETE)) {
            throw HttpApi.methodNotAllowed(request, "DELETE");
        }
        NodeId id = NodeId.parse(target);
        if (id.equals(node.id())) {
            throw new ApiException(409, "conflict", "a node does not remove itself: POST /membership/leave to it");
        }
        Member member = node.cluster().get().control().view().byId().get(id);
        if (member == null) {
            throw new ApiException(
                    404, "not_found", "no member " + target + " in this node's view; see GET /membership");
        }
        if (member.status() == MemberStatus.ALIVE) {
            throw new ApiException(
                    409,
                    "conflict",
                    "node " + target + " is up; stop it first, or have it leave"
                            + " (POST /membership/leave on that node). Only a node that is down is removed.");
        }
        node.cluster()
                .get()
                .remove(id)
                .onComplete(result -> exchange.reply(() -> {
                    if (result.failed()) {
                        throw new IllegalStateException("remove failed", result.cause());
                    }
                    Responses.json(request, 200, Json.write(g -> {
                        g.writeStartObject();
                        g.writeStringField("node_id", target);
                        g.writeBooleanField("removed", result.result());
                        g.writeEndObject();
                    }));
                }));
    }

    private String selfStatus(Member self) {
        if (self.status() == MemberStatus.LEFT) {
            return "leaving"; // it told the cluster; it stops once the ring no longer holds it
        }
        switch (node.state().get()) {
            case SERVING:
                return "up";
            case STOPPING:
                return "leaving";
            default:
                return "joining";
        }
    }

    private static String status(MemberStatus status) {
        switch (status) {
            case ALIVE:
                return "up";
            case SUSPECT:
                return "suspect";
            case DEAD:
                return "down";
            default:
                return "left";
        }
    }

    private void health(HttpServerRequest request) {
        NodeState state = node.state().get();
        Responses.json(request, state == NodeState.SERVING ? 200 : 503, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", state.name().toLowerCase(Locale.ROOT));
            g.writeStringField("node_id", node.id().toString());
            g.writeEndObject();
        }));
    }

    private void stats(HttpServerRequest request) {
        StorageStats storage = node.storage().stats();
        Responses.json(request, 200, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("node", node.config().advertise().toString());
            g.writeStringField("node_id", node.id().toString());
            g.writeStringField("state", node.state().get().name().toLowerCase(Locale.ROOT));
            g.writeObjectFieldStart("requests");
            for (ApiMetrics.Verb verb : ApiMetrics.Verb.values()) {
                writeVerb(g, verb);
            }
            g.writeEndObject();
            g.writeNumberField("keys", storage.estimatedKeys());
            g.writeNumberField("disk_bytes", storage.diskBytes());
            g.writeBooleanField("disk_full", storage.diskFull());
            g.writeNumberField("corrupt_records", storage.corruptRecords());
            g.writeNumberField("hints_dropped", node.stats().hintsDropped.sum());
            g.writeNumberField("storage_memory_bytes", storage.memoryBytes());
            g.writeNumberField("pending_hints", node.storage().hintCount());
            g.writeNumberField("repairs", node.stats().readRepairs.sum());
            g.writeNumberField("conflicts", node.stats().conflicts.sum());
            g.writeNumberField(
                    "diverged_versions", node.stats().divergedVersions.sum());
            g.writeNumberField(
                    "writes_superseded", node.stats().writesSuperseded.sum());
            g.writeNumberField(
                    "writes_won_conflict", node.stats().writesWonConflict.sum());
            g.writeNumberField("patch_retries", node.stats().patchRetries.sum());
            g.writeNumberField("patch_conflicts", node.stats().patchConflicts.sum());
            g.writeNumberField(
                    "tombstones_purged", node.stats().tombstonesPurged.sum());
            writeAntiEntropy(g);
            g.writeNumberField("writes_per_fsync", node.writesPerFsync().getAsDouble());
            g.writeStringField("fsync", node.config().fsync().name());
            g.writeEndObject();
        }));
    }

    /** Background Merkle-tree rounds of all loops: how many, and how many keys each way they fixed. */
    private void writeAntiEntropy(JsonGenerator g) throws IOException {
        long completed = 0;
        long failed = 0;
        long pulled = 0;
        long pushed = 0;
        for (int i = 0; i < node.shards().size(); i++) {
            Shard shard = node.shards().byIndex(i);
            if (shard != null) {
                completed += shard.antiEntropy().sessionsCompleted();
                failed += shard.antiEntropy().sessionsFailed();
                pulled += shard.antiEntropy().keysPulled();
                pushed += shard.antiEntropy().keysPushed();
            }
        }
        g.writeObjectFieldStart("anti_entropy");
        g.writeNumberField("rounds", completed);
        g.writeNumberField("failed_rounds", failed);
        g.writeNumberField("keys_pulled", pulled);
        g.writeNumberField("keys_pushed", pushed);
        g.writeEndObject();
    }

    private void writeVerb(JsonGenerator g, ApiMetrics.Verb verb) throws IOException {
        Timer ok = metrics.timer(verb);
        g.writeObjectFieldStart(verb.name().toLowerCase(Locale.ROOT));
        g.writeNumberField("count", ok.count());
        g.writeNumberField("errors", metrics.failures(verb).count());
        for (ValueAtPercentile p : ok.takeSnapshot().percentileValues()) {
            String name = "p" + Math.round(p.percentile() * 100) + "_ms";
            g.writeNumberField(name, p.value(TimeUnit.MILLISECONDS));
        }
        g.writeEndObject();
    }
}
