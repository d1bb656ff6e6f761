package io.dynakv.faults;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A fault run's settings, from {@code faults/run.sh}'s flags.
 *
 * @param seed drives the nemesis's schedule and the clients' choices
 * @param workload how long the clients and the nemesis run
 * @param nodes cluster size (5: the partition shapes need it)
 * @param clients concurrent client threads
 * @param keys the key space
 * @param maxOps the most operations the clients send in all
 * @param convergeWithin how long the replicas may take to agree after the heal
 * @param network auto (namespaces when root, else loopback), netns or loopback
 * @param jar the node's shaded jar
 * @param out where node logs, the history and the summary go
 */
public record RunOptions(
        long seed,
        Duration workload,
        int nodes,
        int clients,
        int keys,
        long maxOps,
        Duration convergeWithin,
        String network,
        Path jar,
        Path out) {

    static final String USAGE = "usage: faults/run.sh [--minutes M | --seconds S] [--seed S] [--nodes 5]"
            + " [--clients 8] [--keys 200] [--max-ops N] [--converge-within-s 120]"
            + " [--network auto|netns|loopback] [--jar dynakv-node/target/dynakv.jar] [--out DIR]";

    /** Parses {@code --flag value} pairs; anything unknown is an {@link IllegalArgumentException} with the usage. */
    public static RunOptions parse(String[] args) {
        long seed = System.nanoTime() ^ ProcessHandle.current().pid() << 32;
        Duration workload = Duration.ofSeconds(60);
        int nodes = 5;
        int clients = 8;
        int keys = 200;
        long maxOps = 10_000_000;
        Duration converge = Duration.ofMinutes(2);
        String network = "auto";
        Path jar = Path.of("dynakv-node/target/dynakv.jar");
        Path out = Path.of("target/fault-runs");
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(value);
                case "--minutes" -> workload = Duration.ofMinutes(Long.parseLong(value));
                case "--seconds" -> workload = Duration.ofSeconds(Long.parseLong(value));
                case "--nodes" -> nodes = Integer.parseInt(value);
                case "--clients" -> clients = Integer.parseInt(value);
                case "--keys" -> keys = Integer.parseInt(value);
                case "--max-ops" -> maxOps = Long.parseLong(value);
                case "--converge-within-s" -> converge = Duration.ofSeconds(Long.parseLong(value));
                case "--network" -> network = value;
                case "--jar" -> jar = Path.of(value);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown flag " + args[i] + "; " + USAGE);
            }
        }
        if (nodes < 3 || clients < 1 || keys < 1) {
            throw new IllegalArgumentException("--nodes must be at least 3, --clients and --keys at least 1");
        }
        return new RunOptions(seed, workload, nodes, clients, keys, maxOps, converge, network, jar, out);
    }
}
