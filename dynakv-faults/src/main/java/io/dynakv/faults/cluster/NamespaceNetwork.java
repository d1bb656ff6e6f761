package io.dynakv.faults.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One network namespace per node slot, each joined by a veth pair to a bridge in the root
 * namespace that holds the harness's address, so the workload (in the root namespace) reaches every
 * node through the bridge. Addresses are 10.77.X.0/24 with X chosen per run among subnets no
 * interface uses; every name carries a per-run tag, so parallel runs and leftovers of a crashed run
 * never clash. Partitions are iptables DROP rules on the INPUT chain inside the receiving node's
 * namespace: a cut is directed, and a symmetric partition is two cuts.
 *
 * <p>Everything is removed by {@link #close}, which the runner calls in {@code finally} and from a
 * shutdown hook; deleting a namespace deletes its end of the veth pair and its rules.
 */
public final class NamespaceNetwork implements Network {

    private final String tag;
    private final int subnet;
    private final int slots;
    private final List<String> namespaces = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean bridgeCreated;

    private NamespaceNetwork(String tag, int subnet, int slots) {
        this.tag = tag;
        this.subnet = subnet;
        this.slots = slots;
    }

    /**
     * Creates the bridge and {@code slots} namespaces; removes what it made and throws when a step
     * fails (no root, no {@code ip}).
     */
    public static NamespaceNetwork create(int slots, SplittableRandom random) {
        String tag = HexFormat.of().toHexDigits((short) random.nextInt(1 << 16));
        NamespaceNetwork network = new NamespaceNetwork(tag, freeSubnet(random), slots);
        try {
            network.build();
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** {@code ip} and {@code iptables} present and usable: the harness runs as root. */
    public static boolean available() {
        return ProcessHandle.current().info().user().map("root"::equals).orElse(false)
                && Shell.tryRun(List.of("ip", "netns", "list")).code() == 0
                && Shell.tryRun(List.of("iptables", "--version")).code() == 0;
    }

    @Override
    public String host(int slot) {
        return "10.77." + subnet + "." + (10 + slot);
    }

    @Override
    public List<String> launchPrefix(int slot) {
        return List.of("ip", "netns", "exec", namespace(slot));
    }

    @Override
    public boolean canPartition() {
        return true;
    }

    @Override
    public synchronized void cut(Set<Cut> cuts) {
        heal();
        for (Cut cut : cuts) {
            inNamespace(cut.to(), "iptables", "-A", "INPUT", "-s", host(cut.from()), "-j", "DROP");
        }
    }

    @Override
    public synchronized void heal() {
        for (int slot = 0; slot < slots; slot++) {
            inNamespace(slot, "iptables", "-F", "INPUT");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (String namespace : namespaces) {
            Shell.tryRun(List.of("ip", "netns", "del", namespace));
        }
        if (bridgeCreated) {
            Shell.tryRun(List.of("ip", "link", "del", bridge()));
        }
    }

    @Override
    public String toString() {
        return "namespaces " + namespace(0) + ".." + namespace(slots - 1) + " on bridge " + bridge() + " 10.77."
                + subnet + ".0/24";
    }

    private void build() {
        Shell.run(List.of("ip", "link", "add", bridge(), "type", "bridge"));
        bridgeCreated = true;
        Shell.run(List.of("ip", "addr", "add", "10.77." + subnet + ".1/24", "dev", bridge()));
        Shell.run(List.of("ip", "link", "set", bridge(), "up"));
        for (int slot = 0; slot < slots; slot++) {
            String namespace = namespace(slot);
            Shell.run(List.of("ip", "netns", "add", namespace));
            namespaces.add(namespace);
            String outside = "dkv" + tag + "h" + slot;
            String inside = "dkv" + tag + "p" + slot;
            Shell.run(List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", inside));
            Shell.run(List.of("ip", "link", "set", inside, "netns", namespace));
            Shell.run(List.of("ip", "link", "set", outside, "master", bridge(), "up"));
            inNamespace(slot, "ip", "link", "set", "lo", "up");
            inNamespace(slot, "ip", "addr", "add", host(slot) + "/24", "dev", inside);
            inNamespace(slot, "ip", "link", "set", inside, "up");
        }
    }

    private void inNamespace(int slot, String... command) {
        List<String> full = new ArrayList<>(launchPrefix(slot));
        full.addAll(List.of(command));
        Shell.run(full);
    }

    private String namespace(int slot) {
        return "dkv-" + tag + "-n" + slot;
    }

    private String bridge() {
        return "dkv" + tag + "br";
    }

    /** A third octet for 10.77.X.0/24 that no interface of this machine already uses. */
    private static int freeSubnet(SplittableRandom random) {
        String addresses = Shell.run(List.of("ip", "-4", "-o", "addr", "show"));
        Set<Integer> tried = new HashSet<>();
        while (tried.size() < 254) {
            int candidate = 1 + random.nextInt(254);
            if (tried.add(candidate) && !addresses.contains("10.77." + candidate + ".")) {
                return candidate;
            }
        }
        throw new IllegalStateException("every 10.77.X.0/24 subnet is in use on this machine");
    }
}
