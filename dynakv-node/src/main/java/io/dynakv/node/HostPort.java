package io.dynakv.node;

/** A {@code host:port} pair as given on the command line. */
public record HostPort(String host, int port) {

    public static final int DEFAULT_PORT = 6660;

    private static final String EXAMPLE = "; expected host:port such as 127.0.0.1:6660";

    /** Parses {@code host:port}, {@code host} (port 6660), {@code [v6]:port} or a bare IPv6 address. */
    public static HostPort parse(String text) {
        String t = text.strip();
        String host;
        String port = null;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || (close + 1 < t.length() && t.charAt(close + 1) != ':')) {
                throw new IllegalArgumentException("bad address '" + text + "'" + EXAMPLE);
            }
            host = t.substring(1, close);
            port = close + 1 < t.length() ? t.substring(close + 2) : null;
        } else if (t.indexOf(':') == t.lastIndexOf(':') && t.indexOf(':') >= 0) {
            host = t.substring(0, t.indexOf(':'));
            port = t.substring(t.indexOf(':') + 1);
        } else {
            host = t; // no colon, or a bare IPv6 address
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in '" + text + "'" + EXAMPLE);
        }
        int number = DEFAULT_PORT;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port '" + port + "' in '" + text + "'" + EXAMPLE, e);
            }
        }
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("port " + number + " in '" + text + "' is outside 1..65535");
        }
        return new HostPort(host, number);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
