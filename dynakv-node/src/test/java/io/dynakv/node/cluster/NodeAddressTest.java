package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.node.HostPort;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gossiped address format {@code <http host:port>|<peer host:port>}. */
class NodeAddressTest {

    @Test
    void parsesBothParts() {
        NodeAddress a = NodeAddress.parse("127.0.0.1:6660|127.0.0.1:16660");
        assertThat(a.http()).isEqualTo(new HostPort("127.0.0.1", 6660));
        assertThat(a.peer()).isEqualTo(new HostPort("127.0.0.1", 16660));
        assertThat(a).hasToString("127.0.0.1:6660|127.0.0.1:16660");
    }

    @Test
    void ipv6PartsKeepTheirBrackets() {
        NodeAddress a = NodeAddress.parse("[::1]:6660|[::1]:16660");
        assertThat(a.http()).isEqualTo(new HostPort("::1", 6660));
        assertThat(a.peer()).isEqualTo(new HostPort("::1", 16660));
        assertThat(a).hasToString("[::1]:6660|[::1]:16660");
        assertThat(NodeAddress.httpOf(a.toString())).isEqualTo("[::1]:6660");
        assertThat(NodeAddress.peerOf(a.toString())).isEqualTo("[::1]:16660");
        assertThat(HostPort.parse(NodeAddress.peerOf(a.toString()))).isEqualTo(a.peer());
    }

    @Test
    void peerOfAndHttpOfSplitAtTheBar() {
        assertThat(NodeAddress.httpOf("10.0.0.1:6660|10.0.0.2:7000")).isEqualTo("10.0.0.1:6660");
        assertThat(NodeAddress.peerOf("10.0.0.1:6660|10.0.0.2:7000")).isEqualTo("10.0.0.2:7000");
    }

    @Test
    void aPlainAddressIsBothItsHttpAndItsPeerPart() {
        assertThat(NodeAddress.httpOf("10.0.0.1:6660")).isEqualTo("10.0.0.1:6660");
        assertThat(NodeAddress.peerOf("10.0.0.1:6660")).isEqualTo("10.0.0.1:6660");
        assertThat(NodeAddress.peerOf("[::1]:6660")).isEqualTo("[::1]:6660");
    }

    @Test
    void withoutTheBarParseRefusesAndNamesTheFormat() {
        assertThatThrownBy(() -> NodeAddress.parse("127.0.0.1:6660"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'127.0.0.1:6660'")
                .hasMessageContaining("http|peer");
        assertThatThrownBy(() -> NodeAddress.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http|peer");
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(
            delimiter = ';',
            value = {
                "|127.0.0.1:16660; no host",
                "127.0.0.1:6660|; no host",
                "127.0.0.1:x|127.0.0.1:16660; bad port 'x'",
                "127.0.0.1:6660|127.0.0.1:99999; outside 1..65535",
                "127.0.0.1:0|127.0.0.1:16660; outside 1..65535",
                "[::1|127.0.0.1:16660; bad address",
                "127.0.0.1:6660|[::1]x; bad address"
            })
    void aMalformedPartIsRefusedWithItsReason(String text, String reason) {
        assertThatThrownBy(() -> NodeAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    /**
     * Regression (found by this test, fixed): a third part used to pass. The peer part "b:2|c:3"
     * has two colons, so HostPort took it for a bare IPv6 host with port 6660.
     */
    @Test
    void moreThanOneBarIsRefused() {
        assertThatThrownBy(() -> NodeAddress.parse("127.0.0.1:1|127.0.0.1:2|127.0.0.1:3"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 300)
    void formatThenParseIsIdentity(
            @ForAll("hosts") String httpHost,
            @ForAll @IntRange(min = 1, max = 65535) int httpPort,
            @ForAll("hosts") String peerHost,
            @ForAll @IntRange(min = 1, max = 65535) int peerPort) {
        NodeAddress address = new NodeAddress(new HostPort(httpHost, httpPort), new HostPort(peerHost, peerPort));
        String text = address.toString();
        assertThat(NodeAddress.parse(text)).isEqualTo(address);
        assertThat(HostPort.parse(NodeAddress.httpOf(text))).isEqualTo(address.http());
        assertThat(HostPort.parse(NodeAddress.peerOf(text))).isEqualTo(address.peer());
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> names = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('0', '9')
                .withChars('.', '-')
                .ofMinLength(1)
                .ofMaxLength(30);
        Arbitrary<String> ipv4 = Arbitraries.integers()
                .between(0, 255)
                .list()
                .ofSize(4)
                .map(parts ->
                        String.join(".", parts.stream().map(String::valueOf).toList()));
        Arbitrary<String> ipv6 = Arbitraries.integers()
                .between(0, 0xffff)
                .list()
                .ofSize(8)
                .map(parts -> String.join(
                        ":", parts.stream().map(Integer::toHexString).toList()));
        return Arbitraries.oneOf(names, ipv4, ipv6, Arbitraries.of("::1", "localhost", "fe80::1"));
    }
}
