package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.node.HostPort;
import io.dynakv.node.LocalNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a new node learns a seed's node-to-node address and partition count from GET /membership. */
@Timeout(60)
class SeedLookupTest {

    private static final HostPort MEMBER = new HostPort("10.1.2.3", 6660);

    @Test
    void parseTakesTheSelfEntrysGossipAddressAndTheClusterPartitions() {
        String body = "{\"nodes\":["
                + "{\"address\":\"10.1.2.4:6660\",\"self\":false},"
                + "{\"address\":\"10.1.2.3:6660\",\"self\":true,"
                + "\"gossip_address\":\"10.1.2.3:6660|10.1.2.3:16660\",\"partitions\":99}"
                + "],\"active_count\":2,\"partitions\":512,\"ring_epoch\":3}";
        SeedLookup.Seed seed = SeedLookup.parse(body, MEMBER);
        assertThat(seed.gossipAddress()).isEqualTo("10.1.2.3:6660|10.1.2.3:16660");
        assertThat(seed.partitions()).isEqualTo(512); // the cluster's count, not the node's share
    }

    @Test
    void parseIgnoresAGossipAddressOnAnotherMembersEntry() {
        String body = "{\"nodes\":["
                + "{\"self\":false,\"gossip_address\":\"other:1|other:2\"},"
                + "{\"self\":true,\"gossip_address\":\"me:1|me:2\"}"
                + "],\"partitions\":8}";
        assertThat(SeedLookup.parse(body, MEMBER).gossipAddress()).isEqualTo("me:1|me:2");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not json",
                "[]",
                "{}",
                "{\"nodes\":[]}",
                "{\"nodes\":{\"self\":true}}",
                "{\"nodes\":[{\"address\":\"10.1.2.3:6660\",\"self\":true}],\"partitions\":8}",
                "{\"nodes\":[{\"self\":true,\"gossip_address\":null}],\"partitions\":8}",
                "{\"nodes\":[{\"self\":false,\"gossip_address\":\"a:1|a:2\"}],\"partitions\":8}",
                "{\"nodes\":[{\"self\":\"yes\",\"gossip_address\":\"a:1|a:2\"}],\"partitions\":8}"
            })
    void aBodyWithoutTheSelfGossipAddressIsRefusedNamingTheMember(String body) {
        assertThatThrownBy(() -> SeedLookup.parse(body, MEMBER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("10.1.2.3:6660")
                .hasMessageContaining("node-to-node address");
    }

    @Test
    void askGivesUpAfterItsPatienceWhereNothingListens() {
        HostPort nobody = new HostPort("127.0.0.1", LocalNode.freePort());
        long start = System.nanoTime();
        assertThatThrownBy(() -> SeedLookup.ask(nobody, Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot join through " + nobody)
                .hasMessageContaining("curl http://" + nobody + "/membership");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void askWithNoPatienceTriesOnce() {
        HostPort nobody = new HostPort("127.0.0.1", LocalNode.freePort());
        long start = System.nanoTime();
        assertThatThrownBy(() -> SeedLookup.ask(nobody, Duration.ZERO))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot join through");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void askARunningNodeGivesItsGossipAddressAndPartitions(@TempDir Path dataDir) throws Exception {
        try (LocalNode node = LocalNode.start(dataDir, () -> {})) {
            SeedLookup.Seed seed = SeedLookup.ask(new HostPort("127.0.0.1", node.port()), Duration.ofSeconds(10));
            assertThat(seed.gossipAddress()).isEqualTo("127.0.0.1:" + node.port() + "|127.0.0.1:" + node.peerPort());
            assertThat(NodeAddress.parse(seed.gossipAddress()))
                    .isEqualTo(new NodeAddress(
                            new HostPort("127.0.0.1", node.port()), new HostPort("127.0.0.1", node.peerPort())));
            assertThat(seed.partitions())
                    .isEqualTo(node.node().handle().partitioner().partitions())
                    .isEqualTo(256);
        }
    }
}
