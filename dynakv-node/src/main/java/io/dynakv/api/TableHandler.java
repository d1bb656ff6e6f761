package io.dynakv.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynakv.common.Versioned;
import io.dynakv.node.NodeHandle;
import io.dynakv.node.Shard;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.KeyListing;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.replica.KeyRef;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /{table}/keys} lists a table's keys; {@code POST /{table}/keys} with
 * {@code {"keys": [...]}} reads many keys at once.
 */
final class TableHandler {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_BATCH_KEYS = 1000;

    private static final String BATCH_SHAPE = "a batch get body is {\"keys\": [\"key1\", \"key2\", ...]}";

    /** Records one listing page may scan, tombstones included (see {@link KeyListing}). */
    private static final int SCAN_BUDGET = 10_000;

    private final NodeHandle node;

    TableHandler(NodeHandle node) {
        this.node = node;
    }

    void handle(Exchange exchange, Route route) {
        HttpServerRequest request = exchange.request;
        if (request.method().equals(HttpMethod.GET)) {
            list(exchange, route.table());
        } else if (request.method().equals(HttpMethod.POST)) {
            exchange.withBody(node.config().maxBodyBytes(), body -> batchGet(exchange, route.table(), body));
        } else {
            throw HttpApi.methodNotAllowed(request, "GET, POST");
        }
    }

    private void list(Exchange exchange, String table) {
        HttpServerRequest request = exchange.request;
        int limit = limit(exchange.param("limit"));
        String prefixText = Objects.requireNonNullElse(exchange.param("prefix"), "");
        byte[] prefix = prefixText.getBytes(StandardCharsets.UTF_8);
        String cursorText = exchange.param("cursor");
        Optional<KeyListing.Cursor> cursor = Optional.empty();
        if (cursorText != null && !cursorText.isEmpty()) {
            cursor = Optional.of(KeyListing.Cursor.parse(
                            cursorText, node.partitioner().partitions())
                    .orElseThrow(() -> ApiException.badRequest(
                            "invalid_cursor", "the cursor is not one this listing returned; start again without it")));
        }
        Optional<KeyListing.Cursor> from = cursor;
        // A page scans up to SCAN_BUDGET records: off the event loops, which must stay responsive.
        node.vertx()
                .executeBlocking(() -> KeyListing.list(
                        node.storage(), node.partitioner().partitions(), table, prefix, from, limit, SCAN_BUDGET))
                .onComplete(result -> exchange.reply(() -> {
                    if (result.failed()) {
                        throw new IllegalStateException("listing failed", result.cause());
                    }
                    KeyListing.Page page = result.result();
                    Responses.json(request, 200, Json.write(g -> {
                        g.writeStartObject();
                        g.writeArrayFieldStart("keys");
                        for (byte[] key : page.keys()) {
                            g.writeString(new String(key, StandardCharsets.UTF_8));
                        }
                        g.writeEndArray();
                        if (page.next().isPresent()) {
                            g.writeStringField("cursor", page.next().get().toToken());
                        } else {
                            g.writeNullField("cursor");
                        }
                        g.writeEndObject();
                    }));
                }));
    }

    private void batchGet(Exchange exchange, String table, byte[] body) {
        List<String> keys = batchKeys(body);
        ConsistencyLevel r = exchange.consistency("r", node.replicasPerKey().getAsInt());
        byte[] tableBytes = table.getBytes(StandardCharsets.UTF_8);
        List<Outcome<Optional<Versioned>>> results = new ArrayList<>(keys.size());
        keys.forEach(k -> results.add(null));
        AtomicInteger pending = new AtomicInteger(keys.size());
        if (keys.isEmpty()) {
            exchange.reply(() -> answerBatch(exchange, keys, results));
            return;
        }
        for (int i = 0; i < keys.size(); i++) {
            int index = i;
            byte[] keyBytes = Route.keyBytes(keys.get(i), node.config().maxKeyBytes());
            KeyRef key = new KeyRef(node.partitioner().partitionOf(tableBytes, keyBytes), table, keyBytes);
            Shard shard = node.shards().forPartition(key.partition());
            shard.execute(() -> shard.coordinator().read(key, r, outcome -> {
                synchronized (results) {
                    results.set(index, outcome);
                }
                if (pending.decrementAndGet() == 0) {
                    exchange.reply(() -> answerBatch(exchange, keys, results));
                }
            }));
        }
    }

    private static void answerBatch(Exchange exchange, List<String> keys, List<Outcome<Optional<Versioned>>> results) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> missing = new ArrayList<>();
        out.writeBytes("{\"items\":[".getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        synchronized (results) {
            for (int i = 0; i < keys.size(); i++) {
                Outcome<Optional<Versioned>> outcome = results.get(i);
                if (!(outcome instanceof Outcome.Ok<Optional<Versioned>> ok)) {
                    ApiException failure = Responses.failure(outcome);
                    throw new ApiException(
                            failure.status(), failure.code(), "key '" + keys.get(i) + "': " + failure.getMessage());
                }
                Optional<Versioned> live = ok.value().filter(v -> !v.isTombstone());
                if (live.isEmpty()) {
                    missing.add(keys.get(i));
                    continue;
                }
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.writeBytes(Responses.valueDocument(keys.get(i), live.get()));
            }
        }
        out.writeBytes("],\"missing\":".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(Json.write(g -> {
                    g.writeStartArray();
                    for (String key : missing) {
                        g.writeString(key);
                    }
                    g.writeEndArray();
                })
                .getBytes());
        out.write('}');
        Responses.json(exchange.request, 200, Buffer.buffer(out.toByteArray()));
    }

    private List<String> batchKeys(byte[] body) {
        JsonNode doc = ValueBodies.parseDocument(body, BATCH_SHAPE);
        JsonNode keys = doc.get("keys");
        if (!doc.isObject() || keys == null || !keys.isArray() || doc.size() != 1) {
            throw ApiException.badRequest("invalid_json", BATCH_SHAPE);
        }
        if (keys.size() > MAX_BATCH_KEYS) {
            throw ApiException.badRequest(
                    "too_many_keys", "a batch get takes at most " + MAX_BATCH_KEYS + " keys; got " + keys.size());
        }
        List<String> list = new ArrayList<>(keys.size());
        for (JsonNode key : keys) {
            if (!key.isTextual()) {
                throw ApiException.badRequest("invalid_key", "every key in \"keys\" must be a string; got " + key);
            }
            Route.keyBytes(key.asText(), node.config().maxKeyBytes());
            list.add(key.asText());
        }
        return list;
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest(
                "invalid_limit", "limit must be a number from 1 to " + MAX_LIMIT + "; got '" + text + "'");
    }
}
