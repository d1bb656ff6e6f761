package io.dynakv.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging from the environment rather than a file: {@code DYNAKV_LOG} sets the level (as the seeds'
 * {@code RUST_LOG} did), {@code --log-format} chooses one text line or one JSON object per event.
 * Logs go to stderr, leaving stdout to the command's own output (such as --help).
 */
final class LogSetup {

    private LogSetup() {}

    static void configure(String levelName, String format) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (format.equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            // One flat object per event: the message as read, not its template and arguments.
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithContext(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.start();
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(context);
            text.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} [%thread] %msg%n");
            text.start();
            encoder = text;
        }
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        root.setLevel(parse(levelName));
        // Netty and Vert.x are chatty at debug; their detail is rarely what an operator wants.
        context.getLogger("io.netty").setLevel(Level.INFO);
    }

    private static Level parse(String name) {
        if (name == null || name.isBlank()) {
            return Level.INFO;
        }
        Level level = Level.toLevel(name.strip().toUpperCase(Locale.ROOT), null);
        if (level == null) {
            throw new IllegalArgumentException(
                    "DYNAKV_LOG must be trace, debug, info, warn or error; got '" + name + "'");
        }
        return level;
    }
}
