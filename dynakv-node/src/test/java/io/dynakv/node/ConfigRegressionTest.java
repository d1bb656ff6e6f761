package io.dynakv.node;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Regression tests for command-line bounds that used to overflow later, far from the flag. */
class ConfigRegressionTest {

    /**
     * NodeCommand.call() only checks {@code blockCacheMb >= 1}, then computes
     * {@code blockCacheMb << 20} (NodeCommand.java:187), which overflows: 2^43 MiB becomes
     * Long.MIN_VALUE bytes, and the node then fails inside RocksDB with "blockCacheBytes must be at
     * least 1 MiB: -9223372036854775808" instead of a message naming the flag.
     */
    @Test
    void hugeBlockCacheIsRefusedNamingTheFlag() {
        // Actual: no exception; NodeConfig.blockCacheBytes() == Long.MIN_VALUE.
        assertThatThrownBy(() -> NodeCommandTest.config("127.0.0.1:7000", "--block-cache-mb", "8796093022208"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--block-cache-mb");
    }

    /**
     * {@code --request-timeout-ms} has no upper bound (NodeCommand.java:167); Node.deploy then calls
     * requestTimeout().toNanos() (Node.java:120), which throws ArithmeticException for values over
     * ~292 years, and the node reports "cannot listen on 127.0.0.1:…: long overflow. Is another
     * process using the port?", which sends the operator the wrong way.
     */
    @Test
    void hugeRequestTimeoutIsRefusedNamingTheFlag() {
        // Actual: no exception from the command line.
        assertThatThrownBy(
                        () -> NodeCommandTest.config("127.0.0.1:7000", "--request-timeout-ms", "9223372036854775807"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--request-timeout-ms");
    }
}
