package io.dynakv.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds many HTTP/1.1 keep-alive connections to one node from one thread (java.nio), for issue 4
 * item 7: every connection first answers {@code GET /health}; then a few hundred "active" ones
 * send PUT and GET back to back for the load's duration while the rest stay idle; at the end every
 * connection, idle ones included, must answer one more {@code GET /health} (the node kept them
 * all). Meanwhile a probe thread times {@code GET /health} on a fresh connection and samples the
 * node's RSS ({@code VmRSS} of its pid) every {@link #PROBE_EVERY}.
 *
 * <p>JDK only, so that {@code bench/connections.sh} runs the same code as a single-file program:
 * {@code java ConnectionLoad.java <host:port> <connections> <active> <seconds> [node pid]}.
 * Every wait is bounded; any failure (refused, reset, closed by the node, an unexpected status)
 * is counted and the first few are kept.
 */
final class ConnectionLoad {

    /** What to run. */
    record Options(String host, int port, int connections, int active, Duration duration, long nodePid) {}

    /** What happened; latencies in microseconds. */
    record Report(
            int connections,
            int active,
            int opened,
            int answeredAtEnd,
            long requests,
            long errors,
            long p50Micros,
            long p99Micros,
            long maxMicros,
            long healthProbes,
            long healthMaxMicros,
            long rssMaxKib,
            double openSeconds,
            List<String> problems) {

        boolean clean() {
            return errors == 0 && opened == connections && answeredAtEnd == connections;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "connections=%d active=%d opened=%d open_seconds=%.1f answered_at_end=%d requests=%d"
                            + " errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.1f health_probes=%d health_max_ms=%.1f"
                            + " rss_max_mib=%.0f problems=%s",
                    connections,
                    active,
                    opened,
                    openSeconds,
                    answeredAtEnd,
                    requests,
                    errors,
                    p50Micros / 1e3,
                    p99Micros / 1e3,
                    maxMicros / 1e3,
                    healthProbes,
                    healthMaxMicros / 1e3,
                    rssMaxKib / 1024.0,
                    problems);
        }
    }

    /** Connections that may be connecting at once: below the node's accept backlog. */
    private static final int CONNECT_BATCH = 500;

    private static final Duration PHASE_DEADLINE = Duration.ofSeconds(120);

    private static final Duration PROBE_EVERY = Duration.ofMillis(500);

    private static final int KEYS = 10_000;

    private static final int MAX_PROBLEMS = 10;

    private final Options options;
    private final String hostHeader;
    private final SplittableRandom random = new SplittableRandom(7);
    private final List<Connection> connections = new ArrayList<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private long requests;
    private long errors;
    private int inFlight; // requests sent and not yet answered or failed
    private boolean loading; // phase 2: an active connection sends its next request on each answer

    ConnectionLoad(Options options) {
        this.options = options;
        this.hostHeader = options.host() + ":" + options.port();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: java ConnectionLoad.java <host:port> <connections> <active> <seconds> [pid]");
            System.exit(2);
        }
        String[] address = args[0].split(":", 2);
        Report report = new ConnectionLoad(new Options(
                        address[0],
                        Integer.parseInt(address[1]),
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        Duration.ofSeconds(Long.parseLong(args[3])),
                        args.length > 4 ? Long.parseLong(args[4]) : -1))
                .run();
        System.out.println(report);
        System.exit(report.clean() ? 0 : 1);
    }

    /** Opens every connection, runs the load, checks every connection again, closes them all. */
    Report run() throws IOException {
        Probe probe = new Probe();
        Thread probeThread = new Thread(probe, "connection-load-probe");
        probeThread.setDaemon(true);
        probeThread.start();
        long started = System.nanoTime();
        double openSeconds = 0;
        int answeredAtEnd = 0;
        try (Selector selector = Selector.open()) {
            open(selector);
            openSeconds = (System.nanoTime() - started) / 1e9;
            long opened = connections.stream().filter(c -> c.answered == 1).count();
            load(selector);
            answeredAtEnd = finalRound(selector);
            return report((int) opened, answeredAtEnd, openSeconds, probe);
        } finally {
            probe.stop.set(true);
            connections.forEach(Connection::close);
            try {
                probeThread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Phase 1: connect in batches, each connection sends {@code GET /health} once. */
    private void open(Selector selector) throws IOException {
        long deadline = System.nanoTime() + PHASE_DEADLINE.toNanos();
        while (connections.size() < options.connections() && System.nanoTime() < deadline) {
            int batch = Math.min(CONNECT_BATCH, options.connections() - connections.size());
            for (int i = 0; i < batch; i++) {
                Connection connection = new Connection(connections.size() < options.active());
                connections.add(connection);
                connection.connect(selector);
            }
            pumpUntilQuiet(selector, deadline);
        }
    }

    /** Phase 2: active connections send PUT or GET back to back until the duration ends. */
    private void load(Selector selector) throws IOException {
        long end = System.nanoTime() + options.duration().toNanos();
        loading = true;
        for (Connection connection : connections) {
            if (connection.active && !connection.failed) {
                connection.send(nextRequest(connection), true);
            }
        }
        while (System.nanoTime() < end) {
            selectOnce(selector);
        }
    }

    /** Phase 3: every connection still open answers {@code GET /health}; returns how many did. */
    private int finalRound(Selector selector) throws IOException {
        long deadline = System.nanoTime() + PHASE_DEADLINE.toNanos();
        loading = false;
        pumpUntilQuiet(selector, deadline); // the load's last requests
        for (Connection connection : connections) {
            if (!connection.failed) {
                connection.send(health(), false);
            }
        }
        pumpUntilQuiet(selector, deadline);
        return (int) connections.stream().filter(c -> !c.failed && !c.inFlight).count();
    }

    /** Runs the selector until no request is in flight; fails those still waiting at the deadline. */
    private void pumpUntilQuiet(Selector selector, long deadlineNanos) throws IOException {
        while (inFlight > 0 && System.nanoTime() < deadlineNanos) {
            selectOnce(selector);
        }
        for (Connection connection : connections) {
            if (connection.inFlight) {
                connection.fail("no answer within " + PHASE_DEADLINE.toSeconds() + " s");
            }
        }
    }

    private void selectOnce(Selector selector) throws IOException {
        selector.select(50);
        for (SelectionKey key : selector.selectedKeys()) {
            ((Connection) key.attachment()).onReady(key);
        }
        selector.selectedKeys().clear();
    }

    private byte[] nextRequest(Connection connection) {
        String path = "/key/conn-k" + random.nextInt(KEYS);
        if (random.nextBoolean()) {
            String body = "{\"value\":\"connection " + connection.id + "\"}";
            return ("PUT " + path + " HTTP/1.1\r\nHost: " + hostHeader
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                            + body)
                    .getBytes(StandardCharsets.US_ASCII);
        }
        return ("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] health() {
        return ("GET /health HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private void problem(String what) {
        errors++;
        keep(what);
    }

    /** Keeps the first few problems for the report; called from the load and the probe threads. */
    private void keep(String what) {
        synchronized (problems) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(what);
            }
        }
    }

    private void recordLatency(long micros) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = micros;
    }

    private Report report(int opened, int answeredAtEnd, double openSeconds, Probe probe) {
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        return new Report(
                options.connections(),
                options.active(),
                opened,
                answeredAtEnd,
                requests,
                errors + probe.errors.get(),
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1],
                probe.probes.get(),
                probe.maxMicros,
                probe.rssMaxKib,
                openSeconds,
                List.copyOf(problems));
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    /** One keep-alive connection: at most one request in flight. */
    private final class Connection {
        final int id = connections.size();
        final boolean active;
        boolean failed;
        boolean inFlight;
        int answered;
        private SocketChannel channel;
        private SelectionKey key;
        private ByteBuffer out;
        private final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private boolean measured;
        private long sentNanos;

        Connection(boolean active) {
            this.active = active;
        }

        void connect(Selector selector) throws IOException {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            out = ByteBuffer.wrap(health());
            inFlight = true;
            ConnectionLoad.this.inFlight++;
            sentNanos = System.nanoTime();
            try {
                channel.connect(new InetSocketAddress(options.host(), options.port()));
                key = channel.register(selector, SelectionKey.OP_CONNECT, this);
            } catch (IOException e) {
                fail("connect: " + e);
            }
        }

        void send(byte[] request, boolean measure) {
            out = ByteBuffer.wrap(request);
            measured = measure;
            inFlight = true;
            ConnectionLoad.this.inFlight++;
            sentNanos = System.nanoTime();
            key.interestOps(SelectionKey.OP_WRITE);
        }

        void onReady(SelectionKey ready) {
            try {
                if (!ready.isValid()) {
                    return;
                }
                if (ready.isConnectable() && channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                }
                if (ready.isValid() && ready.isWritable()) {
                    channel.write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (ready.isValid() && ready.isReadable()) {
                    read();
                }
            } catch (IOException e) {
                fail(e.toString());
            }
        }

        private void read() throws IOException {
            if (channel.read(in) < 0) {
                fail(inFlight ? "closed by the node before answering" : "closed by the node while idle");
                return;
            }
            int status = HttpResponses.complete(in);
            if (status == 0) {
                return; // not all of it yet
            }
            if (!inFlight) {
                fail("an answer nobody asked for: " + status);
                return;
            }
            inFlight = false;
            ConnectionLoad.this.inFlight--;
            answered++;
            if (measured) {
                requests++;
                recordLatency(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentNanos));
            }
            if (status != 200 && status != 201 && !(measured && status == 404)) {
                problem("connection " + id + ": status " + status);
            }
            if (loading && active) {
                send(nextRequest(this), true);
            }
        }

        void fail(String why) {
            if (!failed) {
                failed = true;
                if (inFlight) {
                    inFlight = false;
                    ConnectionLoad.this.inFlight--;
                }
                problem("connection " + id + ": " + why);
                close();
            }
        }

        void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The minimal HTTP/1.1 response framing this load needs: a status line, headers, Content-Length. */
    static final class HttpResponses {

        private HttpResponses() {}

        /**
         * When {@code buffer} (in write mode) holds a whole response, consumes it and returns its
         * status; otherwise returns 0 and leaves the buffer as it was.
         */
        static int complete(ByteBuffer buffer) {
            byte[] bytes = buffer.array();
            int filled = buffer.position();
            int headersEnd = indexOf(bytes, filled, "\r\n\r\n");
            if (headersEnd < 0) {
                return 0;
            }
            String head = new String(bytes, 0, headersEnd, StandardCharsets.US_ASCII);
            int length = 0;
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Integer.parseInt(line.substring(colon + 1).trim());
                } else if (line.toLowerCase(Locale.ROOT).startsWith("transfer-encoding")) {
                    throw new IllegalStateException("chunked answers are not expected here: " + head);
                }
            }
            int total = headersEnd + 4 + length;
            if (filled < total) {
                return 0;
            }
            int status = Integer.parseInt(head.substring(9, 12));
            System.arraycopy(bytes, total, bytes, 0, filled - total);
            buffer.position(filled - total);
            return status;
        }

        private static int indexOf(byte[] bytes, int limit, String what) {
            outer:
            for (int i = 0; i + what.length() <= limit; i++) {
                for (int j = 0; j < what.length(); j++) {
                    if (bytes[i + j] != what.charAt(j)) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** Times {@code GET /health} on a fresh connection and samples the node's RSS. */
    private final class Probe implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong probes = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile long maxMicros;
        volatile long rssMaxKib;

        @Override
        public void run() {
            while (!stop.get()) {
                long started = System.nanoTime();
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(options.host(), options.port()), 5_000);
                    socket.setSoTimeout(5_000);
                    OutputStream output = socket.getOutputStream();
                    output.write(("GET /health HTTP/1.1\r\nHost: " + hostHeader + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    InputStream input = socket.getInputStream();
                    String answer = new String(input.readAllBytes(), StandardCharsets.US_ASCII);
                    if (!answer.startsWith("HTTP/1.1 200")) {
                        errors.incrementAndGet();
                        keep("health probe: " + answer.lines().findFirst().orElse("(empty)"));
                    }
                    maxMicros = Math.max(maxMicros, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started));
                } catch (IOException e) {
                    errors.incrementAndGet();
                    keep("health probe: " + e);
                }
                probes.incrementAndGet();
                rssMaxKib = Math.max(rssMaxKib, rssKib(options.nodePid()));
                try {
                    Thread.sleep(PROBE_EVERY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** {@code VmRSS} of a process in KiB; 0 when unknown. */
    static long rssKib(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
        return 0;
    }
}
