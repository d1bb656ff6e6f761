package io.dynakv.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.dynakv.common.CausalContext;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.Written;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** How answers are written: JSON bodies, the version as ETag, and errors as {"error","message"}. */
final class Responses {

    static final String JSON = "application/json";
    static final String OCTET_STREAM = "application/octet-stream";

    /**
     * On a write that met a concurrent version: {@code superseded} (its value was resolved away)
     * or {@code won} (it was kept, and the concurrent value was resolved away). See {@link
     * #writeConflict}.
     */
    static final String CONFLICT_HEADER = "X-DynaKV-Conflict";

    private Responses() {}

    static Future<Void> json(HttpServerRequest request, int status, Buffer body) {
        if (request.response().ended() || request.response().closed()) {
            return Future.succeededFuture(); // the client went away, or an earlier error answered
        }
        return request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .end(body);
    }

    static Future<Void> error(HttpServerRequest request, ApiException e) {
        return json(request, e.status(), Json.error(e.code(), e.getMessage()));
    }

    /** Answers {@code e} and then closes the connection, whose remaining bytes cannot be trusted. */
    static void errorAndClose(HttpServerRequest request, ApiException e) {
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        error(request, e).onComplete(ignored -> request.connection().close());
    }

    /** The version token a client sends back as causal context; also the ETag. */
    static String token(Versioned version) {
        return CausalContext.of(version).toToken();
    }

    static String etag(Versioned version) {
        return '"' + token(version) + '"';
    }

    /** {@code {"key","value","version"}}; bytes values are base64 with {@code "encoding":"base64"}. */
    static byte[] valueDocument(String key, Versioned version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(version.value().length + key.length() + 96);
        out.writeBytes(ascii("{\"key\":"));
        out.writeBytes(Json.quoted(key));
        out.writeBytes(ascii(",\"value\":"));
        if (version.kind() == ValueKind.BYTES) {
            out.writeBytes(
                    ascii('"' + Base64.getEncoder().encodeToString(version.value()) + "\",\"encoding\":\"base64\""));
        } else {
            out.writeBytes(version.value()); // compact JSON text, written by this API
        }
        out.writeBytes(ascii(",\"version\":\"" + token(version) + "\"}"));
        return out.toByteArray();
    }

    /**
     * Tells a writer that its write met a concurrent version, which the replicas resolved by the
     * highest HLC, then writer id (docs/concurrent-writes.md): {@code "conflict"} is {@code
     * "superseded"} or {@code "won"}, {@code "kept_version"} the token of the version the key keeps
     * (send it back as context to write over both), and the {@link #CONFLICT_HEADER} header says the
     * same; a value write that lost to a concurrent delete also gets {@code "deleted": true} (a
     * delete's own answer carries {@code "deleted"} already). Writes nothing when the write met
     * none, so the usual answer stays as it was.
     */
    static void writeConflict(HttpServerRequest request, JsonGenerator g, Written written) throws IOException {
        if (written.concurrent().isEmpty()) {
            return;
        }
        String conflict = written.superseded() ? "superseded" : "won";
        request.response().putHeader(CONFLICT_HEADER, conflict);
        g.writeStringField("conflict", conflict);
        g.writeStringField("kept_version", token(written.kept()));
        if (written.superseded()
                && written.kept().isTombstone()
                && !written.version().isTombstone()) {
            g.writeBooleanField("deleted", true);
        }
    }

    /** 503, 504, or 507 (a replica's disk is full) for a request that did not reach its quorum. */
    static ApiException failure(Outcome<?> outcome) {
        if (outcome instanceof Outcome.Unavailable<?> u && u.storageFull()) {
            return new ApiException(
                    507,
                    "insufficient_storage",
                    "the write was refused, " + u.reason() + " (" + u.answered() + " of the " + u.required()
                            + " required replicas stored it)");
        }
        if (outcome instanceof Outcome.Unavailable<?> u) {
            return new ApiException(
                    503,
                    "unavailable",
                    "not enough replicas: " + u.answered() + " of the " + u.required()
                            + " required answered (the key has " + u.replicas() + "): " + u.reason());
        }
        if (outcome instanceof Outcome.TimedOut<?> t) {
            return new ApiException(
                    504,
                    "timeout",
                    "replicas did not answer in time: " + t.answered() + " of the " + t.required()
                            + " required answered within --request-timeout-ms");
        }
        throw new IllegalStateException("not a failure: " + outcome);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
