package io.dynakv.api;

import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and the event loop that received it. Work may hop to the shard that owns the key;
 * the answer is always written back on the receiving loop, which owns the connection.
 */
final class Exchange {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    final HttpServerRequest request;
    private final Context origin;

    Exchange(HttpServerRequest request) {
        this.request = request;
        this.origin = Vertx.currentContext();
    }

    /** A query parameter, or null; a malformed query string is the client's mistake (400). */
    String param(String name) {
        try {
            return request.getParam(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "bad_request", "the query string is not valid percent-encoding: " + e.getMessage());
        }
    }

    /**
     * The {@code ?r=} or {@code ?w=} level, QUORUM when absent. A level no key can meet (a count
     * above the {@code replicas} that hold each key) is refused up front, not failed later.
     */
    ConsistencyLevel consistency(String name, int replicas) {
        String text = param(name);
        if (text == null) {
            return ConsistencyLevel.QUORUM;
        }
        try {
            ConsistencyLevel level = ConsistencyLevel.parse(text);
            level.required(replicas);
            return level;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_consistency", name + ": " + e.getMessage());
        }
    }

    /** Reads the body (up to {@code maxBytes}, else 413) and hands it to {@code handler}, guarded. */
    void withBody(int maxBytes, Consumer<byte[]> handler) {
        BodyReader.read(request, maxBytes, body -> guard(() -> handler.accept(body)));
    }

    /** Runs {@code answer} on the receiving loop; an exception it throws becomes the error answer. */
    void reply(Runnable answer) {
        if (Vertx.currentContext() == origin) {
            guard(answer);
        } else {
            origin.runOnContext(ignored -> guard(answer));
        }
    }

    /** Runs {@code work} here, turning a refusal into a 4xx and a bug into a 500. */
    void guard(Runnable work) {
        try {
            work.run();
        } catch (ApiException e) {
            Responses.error(request, e);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    void internalError(Throwable e) {
        log.error("internal error on {} {}", request.method(), request.path(), e);
        Responses.json(
                request,
                500,
                Json.error(
                        "internal",
                        "the node failed to handle this request (" + e + "); nothing was changed unless a"
                                + " version was returned. The node log has the details."));
    }
}
