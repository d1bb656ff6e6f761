package io.dynakv.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4 item 5, corrupted data files: a node whose RocksDB files were damaged while it was
 * stopped refuses to start (exit 1) with one line naming the file or directory and saying what to
 * do, rather than serve wrong data. README's troubleshooting row "The node refuses to start and
 * names a corrupt file" rests on this test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DataCorruptionIT {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aFlippedByteInATableFileStopsTheStartNamingTheFile() throws Exception {
        NodeProcess node = stoppedNodeWithTableFiles();
        Path table = largest(node.rocksDir(), ".sst");
        flipByte(table, Files.size(table) / 3);

        assertRefusesToStart(node, table.getFileName().toString());
    }

    @Test
    void aFlippedByteInTheManifestStopsTheStart() throws Exception {
        NodeProcess node = stoppedNodeWithTableFiles();
        Path manifest = largest(node.rocksDir(), "MANIFEST-");
        flipByte(manifest, Files.size(manifest) / 2);

        assertRefusesToStart(node, node.rocksDir().toString());
    }

    @Test
    void aTruncatedCurrentFileStopsTheStart() throws Exception {
        NodeProcess node = stoppedNodeWithTableFiles();
        Path current = node.rocksDir().resolve("CURRENT");
        Files.writeString(current, "MANIF", StandardCharsets.US_ASCII);

        assertRefusesToStart(node, node.rocksDir().toString());
    }

    /**
     * A node with data in table files, stopped: writes go to the log, and the next start replays
     * the log into a table file, so write, stop, start, stop.
     */
    private NodeProcess stoppedNodeWithTableFiles() throws IOException, InterruptedException {
        NodeProcess node = nodes.start("n1");
        KvClient client = node.client();
        for (int i = 0; i < 500; i++) {
            KvClient.Response put = client.put("k" + i, IntNode.valueOf(i));
            assertThat(put.status()).as("PUT k%d: %s", i, put).isEqualTo(201);
        }
        assertThat(node.terminate())
                .as("exit code after SIGTERM; %s", node.describe())
                .isZero();
        node.restart();
        assertThat(node.terminate())
                .as("exit code after SIGTERM; %s", node.describe())
                .isZero();
        return node;
    }

    private void assertRefusesToStart(NodeProcess node, String named) {
        NodeProcess.Exit exit = nodes.run(
                "n1-corrupt", NodeProcess.command(node.port(), node.dataDir(), List.of()), Map.of(), RUN_TIMEOUT);

        assertThat(exit.code())
                .as("exit code on a corrupt data directory; output:%n%s", exit.output())
                .isEqualTo(1);
        String line = exit.output()
                .lines()
                .filter(l -> l.contains("cannot start"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no 'cannot start' line in:\n" + exit.output()));
        assertThat(line).contains(named).contains("corrupted").contains("restore the node's data");
    }

    private static Path largest(Path dir, String namePart) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(namePart))
                    .max(Comparator.comparingLong(f -> f.toFile().length()))
                    .orElseThrow(() -> new AssertionError("no " + namePart + " file in " + dir));
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x5A;
        Files.write(file, bytes);
    }
}
