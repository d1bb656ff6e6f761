package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4 item 7, connections: one node holds 10,000 concurrent keep-alive connections, 300 of
 * them sending PUT and GET back to back and the rest idle, with no error, every request answered,
 * every idle connection still answering at the end, {@code /health} answering quickly on a new
 * connection throughout, and bounded resident memory ({@link ConnectionLoad} does the work;
 * {@code bench/connections.sh} runs the same for longer against {@code bin/dynakv}'s defaults).
 *
 * <p>Both this JVM and the node need 10,000 file descriptors: the JVM raises its soft limit to the
 * hard one at start, which must be above that ({@code ulimit -Hn}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionsIT {

    private static final int CONNECTIONS = 10_000;

    private static final int ACTIVE = 300;

    private static final Duration LOAD = Duration.ofSeconds(15);

    /** The project's resident-memory target for a node (bench/README.md), far above a 256 MiB heap. */
    private static final long RSS_MAX_MIB = 768;

    /** A health check is slow on a shared 2-core machine under this load, but not seconds slow. */
    private static final Duration HEALTH_MAX = Duration.ofSeconds(2);

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void oneNodeHoldsTenThousandConnectionsWithoutErrors() throws Exception {
        NodeProcess node = nodes.start("n1");
        ConnectionLoad.Report report = new ConnectionLoad(
                        new ConnectionLoad.Options(ItEnv.LOOPBACK, node.port(), CONNECTIONS, ACTIVE, LOAD, node.pid()))
                .run();
        System.out.println("[ConnectionsIT] " + report);
        String context = report + "; " + node.describe();
        assertThat(report.opened())
                .as("connections that answered GET /health; %s", context)
                .isEqualTo(CONNECTIONS);
        assertThat(report.errors()).as("errors; %s", context).isZero();
        assertThat(report.answeredAtEnd())
                .as("connections, idle ones included, answering at the end; %s", context)
                .isEqualTo(CONNECTIONS);
        assertThat(report.requests())
                .as("requests of the active connections; %s", context)
                .isGreaterThan(ACTIVE);
        assertThat(report.healthProbes())
                .as("health probes during the run; %s", context)
                .isPositive();
        assertThat(Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(report.healthMaxMicros())))
                .as("slowest GET /health on a new connection; %s", context)
                .isLessThan(HEALTH_MAX);
        assertThat(report.rssMaxKib() / 1024)
                .as("the node's peak RSS in MiB; %s", context)
                .isPositive()
                .isLessThan(RSS_MAX_MIB);
        assertThat(node.terminate())
                .as("exit code after SIGTERM with every connection closed; %s", node.describe())
                .isZero();
    }
}
