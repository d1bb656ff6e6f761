package io.dynakv.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dynakv remove NODE_ID} and {@code dynakv leave}: exit 0 when the node accepted, 1 when it
 * refused or cannot be reached, 0 for --help and 2 for a bad command line (picocli's usage error).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class OperatorCommandTest {

    private static final String UNKNOWN_ID = "0123456789abcdef";

    private LocalNode node;
    private String out;
    private String err;

    @BeforeAll
    void startNode(@TempDir Path dataDir) {
        node = LocalNode.start(dataDir, () -> {});
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private int run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = outBytes.toString(StandardCharsets.UTF_8);
            err = errBytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static String nobody() {
        return "127.0.0.1:" + LocalNode.freePort();
    }

    @Test
    void helpExitsZero() {
        assertThat(run("remove", "--help")).isZero();
        assertThat(out).contains("Usage: dynakv remove").contains("NODE_ID").contains("--at");
        assertThat(run("leave", "--help")).isZero();
        assertThat(out).contains("Usage: dynakv leave").contains("--at");
    }

    @Test
    void removeWithoutANodeIdIsAUsageError() {
        assertThat(run("remove", "--at", nobody())).isEqualTo(2);
        assertThat(err).contains("NODE_ID");
        assertThat(run("leave", "extra", "--at", nobody())).isEqualTo(2);
    }

    @Test
    void nothingListeningExitsOne() {
        String at = nobody();
        assertThat(run("remove", UNKNOWN_ID, "--at", at)).isEqualTo(1);
        assertThat(err).contains("cannot reach " + at).contains("Is a node running there?");
        assertThat(run("leave", "--at", at)).isEqualTo(1);
        assertThat(err).contains("cannot reach " + at);
    }

    @Test
    void removingTheNodeItselfIsRefused() {
        assertThat(run("remove", node.id().toString(), "--at", "127.0.0.1:" + node.port()))
                .isEqualTo(1);
        assertThat(err).contains("conflict").contains("does not remove itself");
        assertThat(out).isEmpty();
    }

    @Test
    void removingAnUnknownNodeIsRefused() {
        assertThat(run("remove", UNKNOWN_ID, "--at", "127.0.0.1:" + node.port()))
                .isEqualTo(1);
        assertThat(err).contains("not_found").contains(UNKNOWN_ID);
    }

    @Test
    void removingSomethingThatIsNotANodeIdIsRefusedByTheNode() {
        assertThat(run("remove", "12", "--at", "127.0.0.1:" + node.port())).isEqualTo(1);
        assertThat(err).contains("not_found");
    }

    @Test
    void leaveMakesTheNodeLeaveAndAskToStop(@TempDir Path dataDir) throws Exception {
        CountDownLatch exitRequested = new CountDownLatch(1);
        try (LocalNode leaving = LocalNode.start(dataDir, exitRequested::countDown)) {
            assertThat(run("leave", "--at", "127.0.0.1:" + leaving.port())).isZero();
            assertThat(out)
                    .contains("\"status\":\"leaving\"")
                    .contains(leaving.id().toString());
            assertThat(exitRequested.await(15, TimeUnit.SECONDS))
                    .as("exit requested")
                    .isTrue();
        }
        // The node the other tests use was not touched.
        assertThat(node.node().handle().cluster().get().control().view().activeCount())
                .isEqualTo(1);
    }

    /**
     * Regression (found by this test, fixed): a malformed --at is a bad command line, which the node
     * command reports as "dynakv: ..." with exit 2. The operator commands parse --at inside
     * call(), so picocli prints the IllegalArgumentException's stack trace and exits 1.
     */
    @Test
    void aMalformedAtIsAUsageError() {
        assertThat(run("remove", UNKNOWN_ID, "--at", "host:99999")).isEqualTo(2);
        assertThat(err).contains("1..65535").doesNotContain("\tat io.dynakv");
        assertThat(run("leave", "--at", "host:port")).isEqualTo(2);
        assertThat(err).contains("bad port").doesNotContain("\tat io.dynakv");
    }
}
