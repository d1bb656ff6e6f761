package io.dynakv.faults.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder: keeps every completed operation in memory for the checkers and appends it to a
 * JSON-lines file as it completes, so that a run that dies still leaves its history behind.
 * Thread-safe: client threads record concurrently.
 */
public final class History implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Op> ops = new ArrayList<>();
    private final BufferedWriter file;

    private History(BufferedWriter file) {
        this.file = file;
    }

    /** A history recorded to {@code path} (created or truncated). */
    public static History recordingTo(Path path) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            return new History(Files.newBufferedWriter(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history to " + path, e);
        }
    }

    public synchronized void record(Op op) {
        ops.add(op);
        try {
            file.write(JSON.writeValueAsString(op));
            file.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the history file", e);
        }
    }

    /** A copy of what was recorded so far. */
    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    @Override
    public synchronized void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the history file", e);
        }
    }
}
