package io.dynakv.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Exit codes of {@code bin/dynakv}: 0 for --help, 2 for a bad command line or a join. */
class MainTest {

    private String out;
    private String err;

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

    /** Main.run configures logging for a real process; give the rest of the suite its test config back. */
    @AfterAll
    static void restoreTestLogging() throws JoranException {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void helpExitsZeroAndPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out)
                .contains("Usage: dynakv")
                .contains("--replication-factor")
                .contains("--fsync");
    }

    @Test
    void versionExitsZero() {
        assertThat(run("--version")).isZero();
        assertThat(out).contains("dynakv");
    }

    @Test
    void aJoinThroughAnAddressWhereNothingAnswersGivesUpWithExitOne() {
        assertThat(run("127.0.0.1:1", "127.0.0.1:2", "--join-timeout-ms", "200"))
                .isEqualTo(1);
    }

    @Test
    void badFlagValuesExitTwoWithAHint() {
        assertThat(run("127.0.0.1:1", "--replication-factor", "0")).isEqualTo(2);
        assertThat(err).contains("--replication-factor must be 1..16").contains("dynakv --help");

        assertThat(run("127.0.0.1:1", "--fsync", "sometimes")).isEqualTo(2);
        assertThat(err).contains("sometimes").contains("always").contains("dynakv --help");

        assertThat(run("host:99999")).isEqualTo(2);
        assertThat(err).contains("99999").contains("1..65535");

        assertThat(run("127.0.0.1:1", "--bogus")).isEqualTo(2);
        assertThat(err).contains("--bogus");
    }

    @Test
    void unwritableDataDirectoryExitsOne() {
        // A data directory below a regular file cannot be created: the node must not start.
        assertThat(run("127.0.0.1:1", "--data-dir", "/dev/null/dynakv")).isEqualTo(1);
    }
}
