package io.dynakv.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynakv.cluster.ring.Ring;
import io.dynakv.common.CausalContext;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.node.NodeHandle;
import io.dynakv.node.Shard;
import io.dynakv.node.cluster.Cluster;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Coordinator;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * GET, PUT, DELETE and PATCH of one key. Parsing and validation happen on the loop that received
 * the request; the work then runs on the shard that owns the key's partition, and the answer is
 * written back on the receiving loop.
 */
final class KeyHandler {

    static final String CONTEXT_HEADER = "X-DynaKV-Context";

    /**
     * On a {@code ?local=true} read: whether this node is in the key's preference list now. A node
     * keeps the data of partitions the ring moved away from it, so a checker that compares replicas
     * must know which answers come from replicas.
     */
    static final String REPLICA_HEADER = "X-DynaKV-Replica";

    private final NodeHandle node;

    KeyHandler(NodeHandle node) {
        this.node = node;
    }

    void handle(Exchange exchange, Route route) {
        HttpServerRequest request = exchange.request;
        KeyRef key = new KeyRef(
                node.partitioner().partitionOf(route.table().getBytes(StandardCharsets.UTF_8), route.key()),
                route.table(),
                route.key());
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.GET)) {
            get(exchange, route, key);
        } else if (method.equals(HttpMethod.PUT)) {
            ConsistencyLevel w = consistency(exchange, "w");
            exchange.withBody(node.config().maxBodyBytes(), body -> put(exchange, route, key, w, body));
        } else if (method.equals(HttpMethod.DELETE)) {
            delete(exchange, route, key);
        } else if (method.equals(HttpMethod.PATCH)) {
            ConsistencyLevel w = consistency(exchange, "w");
            exchange.withBody(node.config().maxBodyBytes(), body -> patch(exchange, route, key, w, body));
        } else {
            throw HttpApi.methodNotAllowed(request, "GET, PUT, DELETE, PATCH");
        }
    }

    private void get(Exchange exchange, Route route, KeyRef key) {
        HttpServerRequest request = exchange.request;
        boolean local = localOnly(exchange);
        ConsistencyLevel r = local ? null : consistency(exchange, "r");
        if (local) {
            request.response().putHeader(REPLICA_HEADER, Boolean.toString(isReplica(key.partition())));
        }
        boolean raw = wantsRaw(request);
        onShard(
                exchange,
                key,
                coordinator -> readFrom(
                        coordinator,
                        local,
                        key,
                        r,
                        outcome -> exchange.reply(() -> {
                            Versioned version = found(outcome, route.keyText());
                            request.response().putHeader(HttpHeaders.ETAG, Responses.etag(version));
                            if (raw) {
                                request.response()
                                        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.OCTET_STREAM)
                                        .end(Buffer.buffer(version.value()));
                            } else {
                                Responses.json(
                                        request, 200, Buffer.buffer(Responses.valueDocument(route.keyText(), version)));
                            }
                        })));
    }

    private void put(Exchange exchange, Route route, KeyRef key, ConsistencyLevel w, byte[] body) {
        HttpServerRequest request = exchange.request;
        ValueKind kind;
        byte[] value;
        String bodyContext = null;
        if (isRaw(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            kind = ValueKind.BYTES;
            value = body;
        } else {
            ValueBodies.PutBody put = ValueBodies.parsePut(body);
            kind = ValueKind.JSON;
            value = put.value();
            bodyContext = put.context();
        }
        checkValueSize(value.length);
        Optional<CausalContext> context = context(request, bodyContext);
        WriteRequest write = new WriteRequest(key, kind, value, context, w);
        onShard(
                exchange,
                key,
                coordinator -> coordinator.write(
                        write,
                        outcome -> exchange.reply(() -> {
                            Written written = written(outcome);
                            request.response().putHeader(HttpHeaders.ETAG, Responses.etag(written.version()));
                            Responses.json(request, 201, Json.write(g -> {
                                g.writeStartObject();
                                g.writeStringField("key", route.keyText());
                                g.writeStringField("version", Responses.token(written.version()));
                                Responses.writeConflict(request, g, written);
                                g.writeEndObject();
                            }));
                        })));
    }

    private void delete(Exchange exchange, Route route, KeyRef key) {
        HttpServerRequest request = exchange.request;
        ConsistencyLevel w = consistency(exchange, "w");
        WriteRequest write = new WriteRequest(key, ValueKind.TOMBSTONE, new byte[0], context(request, null), w);
        onShard(
                exchange,
                key,
                coordinator -> coordinator.write(
                        write,
                        outcome -> exchange.reply(() -> {
                            Written written = written(outcome);
                            // A delete that lost to a concurrent write leaves the key live: say so.
                            boolean deleted =
                                    !written.superseded() || written.kept().isTombstone();
                            Responses.json(request, 200, Json.write(g -> {
                                g.writeStartObject();
                                g.writeStringField("key", route.keyText());
                                g.writeBooleanField("deleted", deleted);
                                g.writeStringField("version", Responses.token(written.version()));
                                Responses.writeConflict(request, g, written);
                                g.writeEndObject();
                            }));
                        })));
    }

    /** Read, merge (RFC 7396), write: {@link PatchOperation}, which also handles concurrent patches. */
    private void patch(Exchange exchange, Route route, KeyRef key, ConsistencyLevel w, byte[] body) {
        HttpServerRequest request = exchange.request;
        if (isRaw(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw new ApiException(
                    415, "unsupported_media_type", "a PATCH body is a JSON merge patch (RFC 7396), not raw bytes");
        }
        JsonNode patch = ValueBodies.parseDocument(body, "a PATCH body is a JSON merge patch (RFC 7396)");
        ConsistencyLevel r = consistency(exchange, "r");
        onShard(exchange, key, coordinator -> new PatchOperation(
                        coordinator,
                        key,
                        patch,
                        w,
                        node.config().maxValueBytes(),
                        node.stats(),
                        written -> exchange.reply(() -> patched(request, route, written)),
                        refused -> exchange.reply(() -> {
                            throw refused;
                        }))
                .start(r));
    }

    /** {@code {"key","value","version"}} of the patched version, and whether it met a concurrent one. */
    private static void patched(HttpServerRequest request, Route route, Written written) {
        Versioned version = written.version();
        request.response().putHeader(HttpHeaders.ETAG, Responses.etag(version));
        Responses.json(request, 200, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("key", route.keyText());
            g.writeFieldName("value");
            g.writeRawValue(new String(version.value(), StandardCharsets.UTF_8)); // compact JSON text
            g.writeStringField("version", Responses.token(version));
            Responses.writeConflict(request, g, written);
            g.writeEndObject();
        }));
    }

    /**
     * {@code ?local=true} reads this node's own replica and nothing else: what this node holds,
     * for operators and tests checking that replicas converged. Without it, a quorum read.
     */
    private void readFrom(
            Coordinator coordinator,
            boolean local,
            KeyRef key,
            ConsistencyLevel r,
            Consumer<Outcome<Optional<Versioned>>> done) {
        if (local) {
            done.accept(new Outcome.Ok<>(node.storage().get(key.partition(), key.table(), key.key())));
        } else {
            coordinator.read(key, r, done);
        }
    }

    private boolean isReplica(int partition) {
        Cluster cluster = node.cluster().get();
        Ring ring = cluster == null ? null : cluster.ring();
        return ring != null && ring.preferenceList(partition).contains(node.id());
    }

    private static boolean localOnly(Exchange exchange) {
        String local = exchange.param("local");
        if (local == null || local.equals("false")) {
            return false;
        }
        if (local.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("bad_request", "local must be true or false, got '" + local + "'");
    }

    /**
     * Runs {@code work} with the coordinator of the key's shard, on that shard's loop. A refusal it
     * throws (such as a stored value a PATCH cannot merge) is answered as such, not as a bug.
     */
    private void onShard(Exchange exchange, KeyRef key, Consumer<Coordinator> work) {
        Shard shard = node.shards().forPartition(key.partition());
        shard.execute(() -> {
            try {
                work.accept(shard.coordinator());
            } catch (ApiException refused) {
                exchange.reply(() -> {
                    throw refused;
                });
            } catch (RuntimeException e) {
                exchange.reply(() -> exchange.internalError(e));
            }
        });
    }

    private static Versioned found(Outcome<Optional<Versioned>> outcome, String key) {
        if (outcome instanceof Outcome.Ok<Optional<Versioned>> ok) {
            return ok.value()
                    .filter(v -> !v.isTombstone())
                    .orElseThrow(() -> new ApiException(404, "not_found", "no value for key '" + key + "'"));
        }
        throw Responses.failure(outcome);
    }

    private static Written written(Outcome<Written> outcome) {
        if (outcome instanceof Outcome.Ok<Written> ok) {
            return ok.value();
        }
        throw Responses.failure(outcome);
    }

    private ConsistencyLevel consistency(Exchange exchange, String name) {
        return exchange.consistency(name, node.replicasPerKey().getAsInt());
    }

    private Optional<CausalContext> context(HttpServerRequest request, String bodyContext) {
        String header = request.getHeader(CONTEXT_HEADER);
        if (header != null && bodyContext != null && !header.strip().equals(bodyContext.strip())) {
            throw ApiException.badRequest(
                    "invalid_context", "the " + CONTEXT_HEADER + " header and the body's \"context\" differ; send one");
        }
        String token = header != null ? header : bodyContext;
        if (token == null) {
            return Optional.empty();
        }
        return Optional.of(CausalContext.parseToken(token)
                .orElseThrow(() -> ApiException.badRequest(
                        "invalid_context",
                        "the context is not a version this store issued; send back the \"version\" a read returned")));
    }

    private void checkValueSize(int bytes) {
        if (bytes > node.config().maxValueBytes()) {
            throw ApiException.tooLarge("the value is " + bytes + " bytes; the limit is "
                    + node.config().maxValueBytes() + " (--max-value-bytes)");
        }
    }

    static boolean isRaw(String contentType) {
        return contentType != null
                && contentType.strip().toLowerCase(Locale.ROOT).startsWith(Responses.OCTET_STREAM);
    }

    private static boolean wantsRaw(HttpServerRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(Responses.OCTET_STREAM);
    }
}
