package io.dynakv.node;

import io.dynakv.common.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code dynakv <bind-host:port> [join-host:port] [flags]}, as in the seeds.
 * Every flag can also be set by an environment variable {@code DYNAKV_<NAME>}; a flag wins.
 */
@Command(
        name = "dynakv",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs one DynaKV node: a Dynamo-style key-value store that speaks HTTP/JSON.",
            "",
            "Examples:",
            "  dynakv 127.0.0.1:6660                  first node",
            "  dynakv 127.0.0.1:6661 127.0.0.1:6660   another node joining through any member",
            "  dynakv remove NODE_ID --at HOST:PORT   remove a dead node for good (see remove --help)",
            "  dynakv leave --at HOST:PORT            make a node leave the cluster, then stop",
            "",
            "Every flag can also be set by an environment variable, shown in brackets.",
            "Log level: DYNAKV_LOG=debug (also trace, info, warn, error)."
        })
public final class NodeCommand implements Callable<NodeConfig> {

    /**
     * The shortest tombstone grace accepted. Below it, a hint or a delayed write still on its way
     * could carry a deleted value to a replica after every replica purged the tombstone.
     */
    static final long MIN_TOMBSTONE_GRACE_SECONDS = 60;

    /** The default node-to-node port is the HTTP port plus this (the seeds use adjacent HTTP ports). */
    static final int PEER_PORT_OFFSET = 10000;

    static final String CLUSTER_SECRET_ENV = "DYNAKV_CLUSTER_SECRET";
    private static final String DEFAULT_CLUSTER_SECRET = "dynakv-default-cluster-secret";

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "BIND",
            defaultValue = "${env:DYNAKV_BIND:-127.0.0.1:6660}",
            description = "host:port to listen on for clients and nodes (default ${DEFAULT-VALUE}) [DYNAKV_BIND]")
    String bind;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "JOIN",
            defaultValue = "${env:DYNAKV_JOIN}",
            description = "host:port of any member of a running cluster to join through [DYNAKV_JOIN]")
    String join;

    @Option(
            names = "--replace",
            paramLabel = "NODE_ID",
            defaultValue = "${env:DYNAKV_REPLACE}",
            description = "start this new node (empty data directory) in place of a dead member: it takes"
                    + " exactly that member's partitions, streamed from the other replicas, and the dead"
                    + " member is removed. Needs JOIN. Ids are in GET /membership [DYNAKV_REPLACE]")
    String replace;

    @Option(
            names = "--advertise",
            paramLabel = "HOST:PORT",
            defaultValue = "${env:DYNAKV_ADVERTISE}",
            description = "address other nodes and clients should use, when it differs from BIND"
                    + " (behind NAT, or BIND is 0.0.0.0) [DYNAKV_ADVERTISE]")
    String advertise;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            defaultValue = "${env:DYNAKV_DATA_DIR}",
            description = "where this node keeps its data; default ./data/<host>_<port>. A restarted"
                    + " node finds its data here [DYNAKV_DATA_DIR]")
    Path dataDir;

    @Option(
            names = "--replication-factor",
            paramLabel = "N",
            defaultValue = "${env:DYNAKV_REPLICATION_FACTOR:-3}",
            description = "copies kept of each key; a cluster smaller than N keeps one on every node"
                    + " (default ${DEFAULT-VALUE}) [DYNAKV_REPLICATION_FACTOR]")
    int replicationFactor;

    @Option(
            names = "--partitions",
            paramLabel = "Q",
            defaultValue = "${env:DYNAKV_PARTITIONS:-256}",
            description = "fixed number of partitions keys hash into; set once when the data"
                    + " directory is created and never changed (default ${DEFAULT-VALUE}) [DYNAKV_PARTITIONS]")
    int partitions;

    @Option(
            names = "--fsync",
            paramLabel = "MODE",
            defaultValue = "${env:DYNAKV_FSYNC:-always}",
            description = "always: a write is acknowledged only after its write-ahead log entry is"
                    + " fsynced (concurrent writes share an fsync). periodic: acknowledged at once and"
                    + " fsynced every --fsync-interval-ms, faster, but a machine crash loses up to that"
                    + " interval of acknowledged writes (default ${DEFAULT-VALUE}) [DYNAKV_FSYNC]")
    FsyncMode fsync;

    @Option(
            names = "--fsync-interval-ms",
            paramLabel = "MS",
            defaultValue = "${env:DYNAKV_FSYNC_INTERVAL_MS:-100}",
            description = "fsync interval with --fsync=periodic (default ${DEFAULT-VALUE}) [DYNAKV_FSYNC_INTERVAL_MS]")
    long fsyncIntervalMs;

    @Option(
            names = "--max-key-bytes",
            paramLabel = "BYTES",
            defaultValue = "${env:DYNAKV_MAX_KEY_BYTES:-1024}",
            description = "longest key accepted, in UTF-8 bytes (default ${DEFAULT-VALUE}) [DYNAKV_MAX_KEY_BYTES]")
    int maxKeyBytes;

    @Option(
            names = "--max-value-bytes",
            paramLabel = "BYTES",
            defaultValue = "${env:DYNAKV_MAX_VALUE_BYTES:-1048576}",
            description = "largest value accepted (its compact JSON text, or the raw bytes); larger"
                    + " requests get 413 (default ${DEFAULT-VALUE}) [DYNAKV_MAX_VALUE_BYTES]")
    int maxValueBytes;

    @Option(
            names = "--request-timeout-ms",
            paramLabel = "MS",
            defaultValue = "${env:DYNAKV_REQUEST_TIMEOUT_MS:-5000}",
            description = "how long a request waits for replicas before 504 (default ${DEFAULT-VALUE})"
                    + " [DYNAKV_REQUEST_TIMEOUT_MS]")
    long requestTimeoutMs;

    @Option(
            names = "--event-loops",
            paramLabel = "COUNT",
            defaultValue = "${env:DYNAKV_EVENT_LOOPS:-0}",
            description =
                    "event-loop threads; partitions are spread over them. 0: one per core" + " [DYNAKV_EVENT_LOOPS]")
    int eventLoops;

    @Option(
            names = "--tombstone-grace-seconds",
            paramLabel = "SECONDS",
            defaultValue = "${env:DYNAKV_TOMBSTONE_GRACE_SECONDS:-864000}",
            description = "the least time a delete's tombstone is kept. It is purged only once anti-entropy"
                    + " has shown that every replica of its partition holds it, so a replica that was"
                    + " down for longer never brings a deleted value back; the grace covers hints and"
                    + " delayed messages that may still carry an older value. At least "
                    + MIN_TOMBSTONE_GRACE_SECONDS + " (default ${DEFAULT-VALUE}, 10 days)"
                    + " [DYNAKV_TOMBSTONE_GRACE_SECONDS]")
    long tombstoneGraceSeconds;

    @Option(
            names = "--block-cache-mb",
            paramLabel = "MB",
            defaultValue = "${env:DYNAKV_BLOCK_CACHE_MB:-64}",
            description = "RocksDB block cache for reads, in MiB (default ${DEFAULT-VALUE}) [DYNAKV_BLOCK_CACHE_MB]")
    long blockCacheMb;

    @Option(
            names = "--peer-port",
            paramLabel = "PORT",
            defaultValue = "${env:DYNAKV_PEER_PORT:-0}",
            description = "port for node-to-node traffic (membership, replication); 0: the HTTP port"
                    + " + 10000. Nodes authenticate each other with the secret in the environment"
                    + " variable DYNAKV_CLUSTER_SECRET (the same on every node) [DYNAKV_PEER_PORT]")
    int peerPort;

    @Option(
            names = "--gossip-interval-ms",
            paramLabel = "MS",
            defaultValue = "${env:DYNAKV_GOSSIP_INTERVAL_MS:-500}",
            description = "membership protocol period: each node probes one other per period; a dead"
                    + " node is noticed within about 10 periods (default ${DEFAULT-VALUE})"
                    + " [DYNAKV_GOSSIP_INTERVAL_MS]")
    long gossipIntervalMs;

    @Option(
            names = "--join-timeout-ms",
            paramLabel = "MS",
            defaultValue = "${env:DYNAKV_JOIN_TIMEOUT_MS:-60000}",
            description = "how long a new node waits for the member named by JOIN to answer before it"
                    + " gives up (exit 1) (default ${DEFAULT-VALUE}) [DYNAKV_JOIN_TIMEOUT_MS]")
    long joinTimeoutMs;

    @Option(
            names = "--anti-entropy-interval-ms",
            paramLabel = "MS",
            defaultValue = "${env:DYNAKV_ANTI_ENTROPY_INTERVAL_MS:-1000}",
            description = "each event loop compares one partition with a co-replica (Merkle trees) this"
                    + " often, in the background (default ${DEFAULT-VALUE}) [DYNAKV_ANTI_ENTROPY_INTERVAL_MS]")
    long antiEntropyIntervalMs;

    @Option(
            names = "--anti-entropy-mb-per-s",
            paramLabel = "MB",
            defaultValue = "${env:DYNAKV_ANTI_ENTROPY_MB_PER_S:-8}",
            description = "bandwidth cap of anti-entropy repairs, in MiB/s for the whole node"
                    + " (default ${DEFAULT-VALUE}) [DYNAKV_ANTI_ENTROPY_MB_PER_S]")
    long antiEntropyMbPerS;

    @Option(
            names = "--leave-on-shutdown",
            defaultValue = "${env:DYNAKV_LEAVE_ON_SHUTDOWN:-false}",
            description = "on SIGTERM, leave the cluster for good: hand this node's partitions to the"
                    + " others before exiting (without it, a stopped node is only down and keeps its"
                    + " partitions) [DYNAKV_LEAVE_ON_SHUTDOWN]")
    boolean leaveOnShutdown;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "${env:DYNAKV_LOG_FORMAT:-text}",
            description = "text (one human-readable line per event) or json (one JSON object per"
                    + " line) (default ${DEFAULT-VALUE}) [DYNAKV_LOG_FORMAT]")
    String logFormat;

    @Option(
            names = "--test-clock-offset-ms",
            paramLabel = "MS",
            defaultValue = "0",
            description = "TEST ONLY: shifts this node's wall clock (the physical part of its hybrid"
                    + " logical clocks, and tombstone ages) by MS milliseconds, to test clock skew."
                    + " Never set it in production (default ${DEFAULT-VALUE})")
    long testClockOffsetMs;

    @Option(
            names = "--test-clock-step-ms",
            paramLabel = "MS",
            defaultValue = "0",
            description = "TEST ONLY: steps this node's wall clock by MS milliseconds (either sign) once,"
                    + " --test-clock-step-after-ms after the start, as an NTP step or a VM resumed from a"
                    + " snapshot does. Never set it in production (default ${DEFAULT-VALUE})")
    long testClockStepMs;

    @Option(
            names = "--test-clock-step-after-ms",
            paramLabel = "MS",
            defaultValue = "0",
            description = "TEST ONLY: when the --test-clock-step-ms step happens, in milliseconds after"
                    + " the start (default ${DEFAULT-VALUE})")
    long testClockStepAfterMs;

    /** Validates the flags into a {@link NodeConfig}; messages say what to change. */
    @Override
    public NodeConfig call() {
        HostPort bindAddress = HostPort.parse(bind);
        HostPort advertiseAddress = advertise == null ? bindAddress : HostPort.parse(advertise);
        HostPort joinAddress = join == null || join.isBlank() ? null : HostPort.parse(join);
        NodeId replaced = replace == null || replace.isBlank() ? null : parseNodeId(replace);
        require(
                replaced == null || joinAddress != null,
                "--replace needs a member to join through: dynakv BIND JOIN" + " --replace " + replace);
        Path dir = dataDir != null
                ? dataDir
                : Path.of("data", advertiseAddress.host().replace(':', '_') + "_" + advertiseAddress.port());
        require(replicationFactor >= 1 && replicationFactor <= 16, "--replication-factor must be 1..16");
        require(partitions >= 1 && partitions <= 65536, "--partitions must be 1..65536");
        require(fsyncIntervalMs >= 1 && fsyncIntervalMs <= 60_000, "--fsync-interval-ms must be 1..60000");
        require(maxKeyBytes >= 1 && maxKeyBytes <= 65536, "--max-key-bytes must be 1..65536");
        require(maxValueBytes >= 1 && maxValueBytes <= 64 << 20, "--max-value-bytes must be 1..67108864 (64 MiB)");
        require(
                requestTimeoutMs >= 1 && requestTimeoutMs <= 3_600_000,
                "--request-timeout-ms must be 1..3600000 (one hour)");
        require(eventLoops >= 0 && eventLoops <= 256, "--event-loops must be 0..256");
        require(
                tombstoneGraceSeconds >= MIN_TOMBSTONE_GRACE_SECONDS,
                "--tombstone-grace-seconds must be at least " + MIN_TOMBSTONE_GRACE_SECONDS
                        + ": a tombstone must outlive the hints and delayed messages that may still carry"
                        + " the value it deleted, or one of them brings the value back after the purge");
        require(blockCacheMb >= 1 && blockCacheMb <= 1 << 20, "--block-cache-mb must be 1..1048576 (1 TiB)");
        require(peerPort >= 0 && peerPort <= 65535, "--peer-port must be 0..65535");
        int peer = peerPort != 0 ? peerPort : bindAddress.port() + PEER_PORT_OFFSET;
        require(peer <= 65535, "the HTTP port + " + PEER_PORT_OFFSET + " exceeds 65535; set --peer-port");
        require(peer != bindAddress.port(), "--peer-port must differ from the HTTP port");
        require(joinTimeoutMs >= 1 && joinTimeoutMs <= 3_600_000, "--join-timeout-ms must be 1..3600000");
        require(
                antiEntropyIntervalMs >= 10 && antiEntropyIntervalMs <= 3_600_000,
                "--anti-entropy-interval-ms must be 10..3600000");
        require(antiEntropyMbPerS >= 1 && antiEntropyMbPerS <= 1 << 20, "--anti-entropy-mb-per-s must be 1..1048576");
        require(gossipIntervalMs >= 10 && gossipIntervalMs <= 60_000, "--gossip-interval-ms must be 10..60000");
        String format = logFormat.toLowerCase(Locale.ROOT);
        require(format.equals("text") || format.equals("json"), "--log-format must be text or json");
        return new NodeConfig(
                bindAddress,
                advertiseAddress,
                joinAddress,
                replaced,
                dir,
                replicationFactor,
                partitions,
                fsync,
                Duration.ofMillis(fsyncIntervalMs),
                maxKeyBytes,
                maxValueBytes,
                Duration.ofMillis(requestTimeoutMs),
                eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops,
                Duration.ofSeconds(tombstoneGraceSeconds),
                blockCacheMb << 20,
                peer,
                clusterSecret(),
                Duration.ofMillis(gossipIntervalMs),
                Duration.ofMillis(joinTimeoutMs),
                Duration.ofMillis(antiEntropyIntervalMs),
                antiEntropyMbPerS << 20,
                leaveOnShutdown,
                Duration.ofMillis(testClockOffsetMs),
                Duration.ofMillis(testClockStepMs),
                Duration.ofMillis(testClockStepAfterMs));
    }

    /**
     * From the environment only, so it never shows in a process listing. Unset, every node uses
     * the same built-in secret: fine on a laptop, and the node warns about it.
     */
    private static byte[] clusterSecret() {
        String secret = System.getenv(CLUSTER_SECRET_ENV);
        return (secret == null || secret.isEmpty() ? DEFAULT_CLUSTER_SECRET : secret).getBytes(StandardCharsets.UTF_8);
    }

    static boolean hasDefaultClusterSecret() {
        String secret = System.getenv(CLUSTER_SECRET_ENV);
        return secret == null || secret.isEmpty();
    }

    String logFormat() {
        return logFormat.toLowerCase(Locale.ROOT);
    }

    private static NodeId parseNodeId(String text) {
        try {
            NodeId id = NodeId.parse(text.trim());
            require(id.value() != 0, "--replace takes a node id, not 0");
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--replace takes a node id (16 hex digits, as GET /membership shows), not '" + text + "'", e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
