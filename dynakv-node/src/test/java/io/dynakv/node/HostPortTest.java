package io.dynakv.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest(name = "{0} -> host {1} port {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1:6661 | 127.0.0.1 | 6661",
                "localhost:7000 | localhost | 7000",
                "example.com | example.com | 6660",
                "127.0.0.1 | 127.0.0.1 | 6660",
                "[::1]:7000 | ::1 | 7000",
                "[::1] | ::1 | 6660",
                "::1 | ::1 | 6660",
                "[fe80::1]:1 | fe80::1 | 1",
                "host:65535 | host | 65535",
                "'  127.0.0.1:6660  ' | 127.0.0.1 | 6660"
            })
    void parses(String text, String host, int port) {
        assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @Test
    void defaultPortIsTheSeedsPort() {
        assertThat(HostPort.DEFAULT_PORT).isEqualTo(6660);
    }

    @Test
    void printsIpv6InBrackets() {
        assertThat(HostPort.parse("::1").toString()).isEqualTo("[::1]:6660");
        assertThat(HostPort.parse("[::1]:7000").toString()).isEqualTo("[::1]:7000");
        assertThat(HostPort.parse("127.0.0.1:7000").toString()).isEqualTo("127.0.0.1:7000");
    }

    @Test
    void toStringParsesBack() {
        for (String text : new String[] {"127.0.0.1:1", "[::1]:7000", "h:6660", "[fe80::1]:2"}) {
            HostPort parsed = HostPort.parse(text);
            assertThat(HostPort.parse(parsed.toString())).isEqualTo(parsed);
        }
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(
            strings = {
                "host:99999",
                "host:0",
                "host:-1",
                "host:65536",
                "host:abc",
                "host:",
                ":7000",
                "",
                "   ",
                "[::1",
                "[::1]7000",
                "[::1]:",
                "[]:7000",
                "[::1]:99999"
            })
    void refusesBadAddressesWithAnExample(String text) {
        assertThatThrownBy(() -> HostPort.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void badPortMessagesSayWhatIsWrong() {
        assertThatThrownBy(() -> HostPort.parse("host:99999"))
                .hasMessageContaining("99999")
                .hasMessageContaining("1..65535");
        assertThatThrownBy(() -> HostPort.parse("host:abc"))
                .hasMessageContaining("bad port 'abc'")
                .hasMessageContaining("expected host:port");
        assertThatThrownBy(() -> HostPort.parse(":7000")).hasMessageContaining("no host");
    }
}
