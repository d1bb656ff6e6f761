package io.dynakv.api;

import io.dynakv.node.NodeHandle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Request counts and latencies by verb, plus node gauges, in one Prometheus registry that feeds
 * both /metrics and /stats. Timers keep a decaying p50/p99 so /stats can show them without a
 * Prometheus server.
 */
final class ApiMetrics {

    /** The verbs /stats reports on. */
    enum Verb {
        GET,
        PUT,
        DELETE,
        PATCH,
        LIST,
        BATCH_GET,
        OTHER
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Verb, Timer> ok = new EnumMap<>(Verb.class);
    private final Map<Verb, Timer> failed = new EnumMap<>(Verb.class);

    ApiMetrics(NodeHandle node) {
        for (Verb verb : Verb.values()) {
            ok.put(verb, timer(verb, "ok"));
            failed.put(verb, timer(verb, "error"));
        }
        Gauge.builder("dynakv.keys", () -> node.storage().stats().estimatedKeys())
                .description("records stored, tombstones included (estimate)")
                .register(registry);
        Gauge.builder("dynakv.disk", () -> node.storage().stats().diskBytes())
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("dynakv.storage.memory", () -> node.storage().stats().memoryBytes())
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("dynakv.disk.full", () -> node.storage().stats().diskFull() ? 1 : 0)
                .description("1 while the data directory's disk is full and writes are refused (507)")
                .register(registry);
        Gauge.builder("dynakv.corrupt.records", () -> node.storage().stats().corruptRecords())
                .description("reads that found a stored record failing its checksum; never served")
                .register(registry);
        Gauge.builder("dynakv.hints.dropped", node.stats().hintsDropped, a -> a.sum())
                .description("hints not kept because the disk was full; anti-entropy covers them")
                .register(registry);
        Gauge.builder("dynakv.hints.pending", () -> node.storage().hintCount())
                .description("writes kept for replicas that did not acknowledge them")
                .register(registry);
        Gauge.builder("dynakv.conflicts", node.stats().conflicts, a -> a.sum())
                .description("concurrent versions this node's replica merged (once per replica, from any source)")
                .register(registry);
        Gauge.builder("dynakv.writes.superseded", node.stats().writesSuperseded, a -> a.sum())
                .description("client writes coordinated here whose value lost to a concurrent version (told so)")
                .register(registry);
        Gauge.builder("dynakv.writes.won.conflict", node.stats().writesWonConflict, a -> a.sum())
                .description("client writes coordinated here kept over a concurrent version (told so)")
                .register(registry);
        Gauge.builder("dynakv.patch.retries", node.stats().patchRetries, a -> a.sum())
                .description("PATCHes applied again on a concurrent version they had not read")
                .register(registry);
        Gauge.builder("dynakv.patch.conflicts", node.stats().patchConflicts, a -> a.sum())
                .description("PATCHes answered 409 after meeting concurrent writes on every attempt")
                .register(registry);
        Gauge.builder("dynakv.diverged.versions", node.stats().divergedVersions, a -> a.sum())
                .description("replicas found holding other contents under the same clock, and repaired")
                .register(registry);
        Gauge.builder("dynakv.read.repairs", node.stats().readRepairs, a -> a.sum())
                .register(registry);
        Gauge.builder("dynakv.tombstones.purged", node.stats().tombstonesPurged, a -> a.sum())
                .register(registry);
        Gauge.builder("dynakv.group.commit.writes.per.fsync", () -> node.writesPerFsync()
                        .getAsDouble())
                .register(registry);
    }

    private Timer timer(Verb verb, String outcome) {
        return Timer.builder("dynakv.requests")
                .tag("verb", verb.name().toLowerCase(java.util.Locale.ROOT))
                .tag("outcome", outcome)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    void record(Verb verb, int status, long nanos) {
        (status < 400 ? ok : failed).get(verb).record(nanos, TimeUnit.NANOSECONDS);
    }

    Timer timer(Verb verb) {
        return ok.get(verb);
    }

    Timer failures(Verb verb) {
        return failed.get(verb);
    }

    String scrape() {
        return registry.scrape();
    }
}
