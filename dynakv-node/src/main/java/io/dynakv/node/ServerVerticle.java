package io.dynakv.node;

import io.dynakv.api.HttpApi;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One per event loop: registers the loop as a shard, then listens. Vert.x spreads connections over
 * the instances, so every loop accepts requests, and a request whose key lives on the loop that
 * received it is served without a thread hop.
 */
final class ServerVerticle extends VerticleBase {

    /** Longest request line: a 1 KiB key percent-encoded is 3 KiB, plus table and query. */
    private static final int MAX_INITIAL_LINE = 8 * 1024;

    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final NodeConfig config;
    private final HttpApi api;
    private final Consumer<Context> registerShard;
    private HttpServer server;

    ServerVerticle(NodeConfig config, HttpApi api, Consumer<Context> registerShard) {
        this.config = config;
        this.api = api;
        this.registerShard = registerShard;
    }

    @Override
    public Future<?> start() {
        registerShard.accept(context);
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setMaxInitialLineLength(Math.max(MAX_INITIAL_LINE, config.maxKeyBytes() * 3 + 1024))
                        .setMaxHeaderSize(MAX_HEADER_BYTES)
                        .setHandle100ContinueAutomatically(false)
                        .setDecompressionSupported(false)
                        .setTcpNoDelay(true)
                        .setIdleTimeout(300)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS))
                .requestHandler(api::handle)
                .invalidRequestHandler(api::handleInvalid);
        return server.listen(config.bind().port(), config.bind().host());
    }

    /** Stops accepting, and gives in-flight requests up to 10 s to finish (SIGTERM's contract). */
    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS);
    }
}
