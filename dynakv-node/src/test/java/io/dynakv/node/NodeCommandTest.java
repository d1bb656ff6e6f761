package io.dynakv.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dynakv.common.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The command line as Main parses it (case-insensitive enums). Defaults come from
 * {@code ${env:DYNAKV_X:-default}}; these tests assume no DYNAKV_ variable is set.
 */
class NodeCommandTest {

    @BeforeAll
    static void noDynakvEnvironment() {
        assumeTrue(
                System.getenv().keySet().stream().noneMatch(k -> k.startsWith("DYNAKV_")),
                "DYNAKV_* environment variables change the defaults under test");
    }

    static NodeCommand parse(String... args) {
        NodeCommand command = new NodeCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command;
    }

    static NodeConfig config(String... args) {
        return parse(args).call();
    }

    @Test
    void defaults() {
        NodeConfig c = config("127.0.0.1:7000");
        assertThat(c.bind()).isEqualTo(new HostPort("127.0.0.1", 7000));
        assertThat(c.advertise()).isEqualTo(c.bind());
        assertThat(c.join()).isNull();
        assertThat(c.dataDir()).isEqualTo(Path.of("data", "127.0.0.1_7000"));
        assertThat(c.replicationFactor()).isEqualTo(3);
        assertThat(c.partitions()).isEqualTo(256);
        assertThat(c.fsync()).isEqualTo(FsyncMode.always);
        assertThat(c.fsyncInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.maxKeyBytes()).isEqualTo(1024);
        assertThat(c.maxValueBytes()).isEqualTo(1 << 20);
        assertThat(c.maxBodyBytes()).isEqualTo((1 << 20) + 64 * 1024);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.tombstoneGrace()).isEqualTo(Duration.ofDays(10));
        assertThat(c.blockCacheBytes()).isEqualTo(64L << 20);
        assertThat(parse("127.0.0.1:7000").logFormat()).isEqualTo("text");
        assertThat(c.testClockOffset()).isZero();
        assertThat(c.testClockStep()).isZero();
    }

    @Test
    void testClockOffsetShiftsTheWallClockOnly() {
        NodeConfig c = config("127.0.0.1:7000", "--test-clock-offset-ms", "-5000");
        assertThat(c.testClockOffset()).isEqualTo(Duration.ofSeconds(-5));
        SystemClock skewed = new SystemClock(c.testClockOffset().toMillis());
        long before = System.currentTimeMillis();
        long wall = skewed.wallMillis();
        long after = System.currentTimeMillis();
        assertThat(wall).isBetween(before - 5000, after - 5000);
        long monotonic = System.nanoTime();
        assertThat(skewed.nowNanos()).isBetween(monotonic, System.nanoTime());
    }

    /** Issue 9 item 2: fault runs step a running node's wall clock by minutes, forward or back. */
    @Test
    void testClockStepMovesTheWallClockOnceItsDelayHasPassed() {
        NodeConfig c =
                config("127.0.0.1:7000", "--test-clock-step-ms", "-600000", "--test-clock-step-after-ms", "3600000");
        assertThat(c.testClockStep()).isEqualTo(Duration.ofMinutes(-10));
        assertThat(c.testClockStepAfter()).isEqualTo(Duration.ofHours(1));
        long before = System.currentTimeMillis();
        long notYet = SystemClock.of(c).wallMillis();
        long stepped = new SystemClock(0, -600_000, 0).wallMillis();
        long after = System.currentTimeMillis();
        assertThat(notYet).isBetween(before, after);
        assertThat(stepped).isBetween(before - 600_000, after - 600_000);
    }

    @Test
    void noArgumentsBindsTheSeedsAddress() {
        NodeConfig c = config();
        assertThat(c.bind()).isEqualTo(new HostPort("127.0.0.1", 6660));
        assertThat(c.dataDir()).isEqualTo(Path.of("data", "127.0.0.1_6660"));
    }

    @Test
    void joinAddressIsTheSecondArgument() {
        NodeConfig c = config("127.0.0.1:6661", "127.0.0.1:6660");
        assertThat(c.join()).isEqualTo(new HostPort("127.0.0.1", 6660));
    }

    @Test
    void replaceTakesANodeIdAndNeedsAMemberToJoinThrough() {
        NodeConfig c = config("127.0.0.1:6660", "127.0.0.1:6661", "--replace", "9f9b05e40f55fbc5");
        assertThat(c.replace()).isEqualTo(NodeId.parse("9f9b05e40f55fbc5"));
        assertThat(config("127.0.0.1:6660").replace()).isNull();
        assertThatThrownBy(() -> config("127.0.0.1:6660", "--replace", "9f9b05e40f55fbc5"))
                .hasMessageContaining("--replace needs a member to join through");
        assertThatThrownBy(() -> config("127.0.0.1:6660", "127.0.0.1:6661", "--replace", "n3"))
                .hasMessageContaining("16 hex digits");
    }

    @Test
    void everyFlag() {
        NodeConfig c = config(
                "0.0.0.0:7001",
                "--advertise",
                "[::1]:7002",
                "--data-dir",
                "/tmp/x",
                "--replication-factor",
                "1",
                "--partitions",
                "64",
                "--fsync",
                "PERIODIC",
                "--fsync-interval-ms",
                "250",
                "--max-key-bytes",
                "100",
                "--max-value-bytes",
                "2048",
                "--request-timeout-ms",
                "1500",
                "--event-loops",
                "3",
                "--tombstone-grace-seconds",
                "60",
                "--block-cache-mb",
                "16",
                "--log-format",
                "JSON");
        assertThat(c.bind()).isEqualTo(new HostPort("0.0.0.0", 7001));
        assertThat(c.advertise()).isEqualTo(new HostPort("::1", 7002));
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.replicationFactor()).isEqualTo(1);
        assertThat(c.partitions()).isEqualTo(64);
        assertThat(c.fsync()).isEqualTo(FsyncMode.periodic);
        assertThat(c.fsyncInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxKeyBytes()).isEqualTo(100);
        assertThat(c.maxValueBytes()).isEqualTo(2048);
        assertThat(c.maxBodyBytes()).isEqualTo(2048 + 64 * 1024);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.eventLoops()).isEqualTo(3);
        assertThat(c.tombstoneGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.blockCacheBytes()).isEqualTo(16L << 20);
    }

    @Test
    void defaultDataDirFollowsTheAdvertisedAddress() {
        assertThat(config("0.0.0.0:7001", "--advertise", "db1.example:7001").dataDir())
                .isEqualTo(Path.of("data", "db1.example_7001"));
        assertThat(config("[::1]:7002").dataDir()).isEqualTo(Path.of("data", "__1_7002"));
    }

    @ParameterizedTest(name = "{0} {1} -> ''{2}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "--replication-factor | 0 | --replication-factor must be 1..16",
                "--replication-factor | 17 | --replication-factor must be 1..16",
                "--partitions | 0 | --partitions must be 1..65536",
                "--partitions | 65537 | --partitions must be 1..65536",
                "--fsync-interval-ms | 0 | --fsync-interval-ms must be 1..60000",
                "--max-key-bytes | 0 | --max-key-bytes must be 1..65536",
                "--max-value-bytes | 0 | --max-value-bytes must be 1..67108864",
                "--max-value-bytes | 67108865 | --max-value-bytes must be 1..67108864",
                "--request-timeout-ms | 0 | --request-timeout-ms must be 1..3600000",
                "--event-loops | -1 | --event-loops must be 0..256",
                "--event-loops | 257 | --event-loops must be 0..256",
                "--tombstone-grace-seconds | -1 | --tombstone-grace-seconds must be at least 60",
                "--tombstone-grace-seconds | 59 | --tombstone-grace-seconds must be at least 60",
                "--block-cache-mb | 0 | --block-cache-mb must be 1..1048576",
                "--log-format | xml | --log-format must be text or json",
                "--advertise | host:99999 | outside 1..65535"
            })
    void refusesOutOfRangeValuesNamingTheFlag(String flag, String value, String message) {
        assertThatThrownBy(() -> config("127.0.0.1:7000", flag, value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    /**
     * Issue 9 item 3: a grace of 0 was accepted, and a tombstone could go while a hint carrying the
     * value it deleted was still on its way. The message says why and what the minimum is.
     */
    @Test
    void zeroGraceIsRefused() {
        assertThatThrownBy(() -> config("127.0.0.1:7000", "--tombstone-grace-seconds", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tombstone-grace-seconds must be at least 60")
                .hasMessageContaining("brings the value back");
    }

    @Test
    void refusesBadAddresses() {
        assertThatThrownBy(() -> config("host:99999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port 99999 in 'host:99999' is outside 1..65535");
        assertThatThrownBy(() -> config("127.0.0.1:7000", "nohost:x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad port 'x'");
    }

    @Test
    void refusesAnUnknownFsyncModeListingTheChoices() {
        assertThatThrownBy(() -> parse("127.0.0.1:7000", "--fsync", "sometimes"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--fsync")
                .hasMessageContaining("sometimes")
                .hasMessageContaining("always")
                .hasMessageContaining("periodic");
    }

    @Test
    void refusesNonNumbersAndUnknownFlags() {
        assertThatThrownBy(() -> parse("127.0.0.1:7000", "--replication-factor", "three"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--replication-factor")
                .hasMessageContaining("three");
        assertThatThrownBy(() -> parse("127.0.0.1:7000", "--no-such-flag"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--no-such-flag");
        assertThatThrownBy(() -> parse("a:1", "b:2", "c:3")).isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void helpDocumentsEveryFlagAndItsEnvironmentVariable() {
        String usage = new CommandLine(new NodeCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        String[][] flags = {
            {"--advertise", "DYNAKV_ADVERTISE"},
            {"--data-dir", "DYNAKV_DATA_DIR"},
            {"--replication-factor", "DYNAKV_REPLICATION_FACTOR"},
            {"--partitions", "DYNAKV_PARTITIONS"},
            {"--fsync", "DYNAKV_FSYNC"},
            {"--fsync-interval-ms", "DYNAKV_FSYNC_INTERVAL_MS"},
            {"--max-key-bytes", "DYNAKV_MAX_KEY_BYTES"},
            {"--max-value-bytes", "DYNAKV_MAX_VALUE_BYTES"},
            {"--request-timeout-ms", "DYNAKV_REQUEST_TIMEOUT_MS"},
            {"--event-loops", "DYNAKV_EVENT_LOOPS"},
            {"--tombstone-grace-seconds", "DYNAKV_TOMBSTONE_GRACE_SECONDS"},
            {"--block-cache-mb", "DYNAKV_BLOCK_CACHE_MB"},
            {"--log-format", "DYNAKV_LOG_FORMAT"},
            {"--help", "Show this help"},
            {"BIND", "DYNAKV_BIND"},
            {"JOIN", "DYNAKV_JOIN"}
        };
        for (String[] flag : flags) {
            assertThat(usage).contains(flag[0]).contains(flag[1]);
        }
        assertThat(usage).contains("DYNAKV_LOG=debug").contains("periodic");
    }
}
