package io.dynakv.faults.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands ({@code ip}, {@code iptables}, {@code kill}) to their end, bounded in time. */
final class Shell {

    private static final long TIMEOUT_SECONDS = 20;

    private Shell() {}

    /** Runs {@code command}; throws with its output when it fails. */
    static String run(List<String> command) {
        Result result = tryRun(command);
        if (result.code() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed (exit " + result.code() + "): " + result.output());
        }
        return result.output();
    }

    /** The exit code and output of a command run to its end. */
    record Result(int code, String output) {}

    /** Runs {@code command} and returns its exit code and output, whatever they are. */
    static Result tryRun(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + TIMEOUT_SECONDS + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            // A missing program is an answer too (the shell's 127): callers probing for a tool,
            // such as NamespaceNetwork.available, then fall back instead of failing the run.
            return new Result(127, "cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
