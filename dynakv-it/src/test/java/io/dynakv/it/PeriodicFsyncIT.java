package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --fsync=periodic} acknowledges before the fsync, but a clean stop (SIGTERM) must still
 * flush everything it acknowledged (DESIGN section 1: "SIGTERM shuts down cleanly: stop accepting,
 * finish in-flight requests, flush, exit 0"). The SIGTERM lands in the middle of a write load, with
 * a long fsync interval so that most acknowledged writes are not yet fsynced when it arrives.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeriodicFsyncIT {

    private static final int CLIENTS = 4;

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void sigtermUnderLoadLosesNoAcknowledgedWrite() throws Exception {
        NodeProcess node = nodes.start("n1", "--fsync", "periodic", "--fsync-interval-ms", "5000");
        Map<String, WriteLoad.Ack> acked = new ConcurrentHashMap<>();
        // 503 is the answer of a node that is stopping: refused, so not acknowledged.
        WriteLoad load =
                new WriteLoad(node.client(), "periodic", CLIENTS, Duration.ofSeconds(3), acked, Set.of(503), 10);
        load.start();
        NodeProcess.sleep(Duration.ofMillis(1_500));
        int exitCode = node.terminate();
        load.finish();
        String context = "load: " + load.counts() + "; " + node.describe();
        assertThat(exitCode)
                .as("exit code after SIGTERM under load; %s", context)
                .isZero();
        assertThat(load.unexpected)
                .as("answers other than 201 and 503; %s", context)
                .isEmpty();
        assertThat(load.acked.get()).as("no write acknowledged; %s", context).isPositive();

        node.restart();
        KvClient client = node.client();
        WriteLoad.Check check = WriteLoad.check(client, acked, CLIENTS);
        List<String> wrongUnacked = new ArrayList<>();
        long presentUnacked = load.countPresentUnacknowledged(client, wrongUnacked);
        System.out.printf(
                Locale.ROOT,
                "[PeriodicFsyncIT] SIGTERM under load: %s; acked operations %d, intact %d, unacknowledged but present %d%n",
                load.counts(),
                acked.size(),
                check.intact.get(),
                presentUnacked);
        assertThat(check.wrong)
                .as("acknowledged writes or deletes lost by a clean stop; %s", context)
                .isEmpty();
        assertThat(check.intact.get()).as(context).isEqualTo(acked.size());
        assertThat(wrongUnacked).as(context).isEmpty();
        assertThat(node.terminate())
                .as("exit code after the second SIGTERM; %s", node.describe())
                .isZero();
    }
}
