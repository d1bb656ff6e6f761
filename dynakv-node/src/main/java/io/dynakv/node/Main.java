package io.dynakv.node;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code bin/dynakv}'s entry point. Exit codes: 0 after a clean stop (SIGTERM or SIGINT),
 * 2 for a bad command line, 1 when the node cannot start (or, joining, was never let in).
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length > 0 && (args[0].equals("remove") || args[0].equals("leave"))) {
            Object operator = args[0].equals("remove") ? new OperatorCommand.Remove() : new OperatorCommand.Leave();
            return new CommandLine(operator).execute(Arrays.copyOfRange(args, 1, args.length));
        }
        NodeCommand command = new NodeCommand();
        CommandLine cli = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        PrintWriter err = cli.getErr();
        NodeConfig config;
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                return 0;
            }
            config = command.call();
            LogSetup.configure(System.getenv("DYNAKV_LOG"), command.logFormat());
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("dynakv: " + e.getMessage());
            err.println("Run 'dynakv --help' for the usage.");
            return 2;
        }
        return serve(config);
    }

    private static int serve(NodeConfig config) {
        Logger log = LoggerFactory.getLogger(Main.class);
        CountDownLatch stop = new CountDownLatch(1);
        // Handle the signals ourselves, before starting: the JVM's default exits with 143 even
        // mid-start, and a clean stop is 0. A signal during start stops the node once it is up.
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Node node;
        try {
            node = Node.start(config, stop::countDown);
        } catch (RuntimeException e) {
            log.error("cannot start: {}", e.getMessage());
            return 1;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.stop();
        return node.failure().isPresent() ? 1 : 0;
    }

    /** {@code --version}: the jar's implementation version. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dynakv " + (version == null ? "development build" : version)};
        }
    }
}
