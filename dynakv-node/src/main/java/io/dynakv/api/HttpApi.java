package io.dynakv.api;

import io.dynakv.node.NodeHandle;
import io.dynakv.node.NodeState;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request entry point: routes a request by path to its handler, turns refusals into JSON
 * errors, answers requests Netty could not even decode, and times every request for /stats.
 */
public final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private final NodeHandle node;
    private final ApiMetrics metrics;
    private final KeyHandler keys;
    private final TableHandler tables;
    private final InfoHandler info;

    public HttpApi(NodeHandle node) {
        this.node = node;
        this.metrics = new ApiMetrics(node);
        this.keys = new KeyHandler(node);
        this.tables = new TableHandler(node);
        this.info = new InfoHandler(node, metrics);
    }

    /** A joining node already tells who it knows and how it is doing; keys wait for the ring. */
    private boolean answersWhileNotServing(Route.Kind kind) {
        return kind == Route.Kind.HEALTH
                || (node.state().get() == NodeState.JOINING && kind != Route.Kind.KEY && kind != Route.Kind.KEYS);
    }

    public void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        Exchange exchange = new Exchange(request);
        exchange.guard(() -> {
            Route route = Route.parse(request.path(), node.config().maxKeyBytes());
            ApiMetrics.Verb verb = verb(route, request.method());
            request.response().endHandler(ignored -> finished(request, verb, start));
            if (node.state().get() != NodeState.SERVING && !answersWhileNotServing(route.kind())) {
                throw new ApiException(
                        503,
                        "unavailable",
                        "the node is " + node.state().get().name().toLowerCase(java.util.Locale.ROOT)
                                + "; retry shortly or use another node");
            }
            switch (route.kind()) {
                case KEY:
                    keys.handle(exchange, route);
                    break;
                case KEYS:
                    tables.handle(exchange, route);
                    break;
                default:
                    info.handle(exchange, route);
            }
        });
    }

    private void finished(HttpServerRequest request, ApiMetrics.Verb verb, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        int status = request.response().getStatusCode();
        metrics.record(verb, status, nanos);
        if (log.isDebugEnabled()) {
            log.debug("{} {} status={} micros={}", request.method(), request.uri(), status, nanos / 1000);
        }
    }

    /**
     * Requests Netty could not decode: an over-long request line (414), headers over the limit
     * (431), or anything malformed (400). The connection is closed after the answer, since the
     * rest of the stream cannot be trusted.
     */
    public void handleInvalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiException error;
        if (cause instanceof TooLongHttpLineException) {
            error = new ApiException(
                    414,
                    "uri_too_long",
                    "the request line is too long; keys are at most "
                            + node.config().maxKeyBytes() + " bytes (percent-encoding triples a byte)");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = new ApiException(431, "headers_too_large", "the request headers are too large");
        } else {
            error = ApiException.badRequest(
                    "bad_request", "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage()));
        }
        Responses.errorAndClose(request, error);
    }

    static ApiException methodNotAllowed(HttpServerRequest request, String allowed) {
        request.response().putHeader(HttpHeaders.ALLOW, allowed);
        return new ApiException(
                405,
                "method_not_allowed",
                request.method() + " is not allowed on " + request.path() + "; use " + allowed);
    }

    private static ApiMetrics.Verb verb(Route route, HttpMethod method) {
        if (route.kind() == Route.Kind.KEYS) {
            return method.equals(HttpMethod.POST) ? ApiMetrics.Verb.BATCH_GET : ApiMetrics.Verb.LIST;
        }
        if (route.kind() != Route.Kind.KEY) {
            return ApiMetrics.Verb.OTHER;
        }
        switch (method.name()) {
            case "GET":
                return ApiMetrics.Verb.GET;
            case "PUT":
                return ApiMetrics.Verb.PUT;
            case "DELETE":
                return ApiMetrics.Verb.DELETE;
            case "PATCH":
                return ApiMetrics.Verb.PATCH;
            default:
                return ApiMetrics.Verb.OTHER;
        }
    }
}
