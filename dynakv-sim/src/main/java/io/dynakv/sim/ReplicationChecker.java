package io.dynakv.sim;

import io.dynakv.common.Causality;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The history of one {@link ReplicationSimulation} run and the rules it must obey. Every client
 * write carries a value no other write uses, so a stored value names the write that made it, and
 * the simulation reports the version each value was first sent with (its <em>minted</em> version,
 * acknowledged or not). Violations are collected, not thrown, so a test can also require that a
 * broken cluster produces some.
 *
 * <p>Checked while the workload runs, at each read's completion:
 *
 * <ul>
 *   <li><b>Read your acknowledged writes</b> (R + W &gt; N): a successful read issued after a write
 *       or delete of the key was acknowledged returns a version whose clock descends that write's
 *       clock; an equal clock must carry the same write (same HLC, writer, kind and value).
 *   <li><b>No invented values</b>: a value read is one some client wrote to that key.
 * </ul>
 *
 * <p>Checked on the converged state after healing (the one version every replica holds):
 *
 * <ul>
 *   <li><b>(1) No acknowledged write or delete lost</b>: the final version's clock descends the
 *       acknowledged version's clock (it is that write, or a causally later or concurrent write
 *       merged over it); an equal clock must be the same write.
 *   <li><b>(2a) No resurrection</b>: the final value is never one that an acknowledged delete had
 *       seen, that is, no acknowledged delete's clock strictly descends the clock the final value
 *       was minted with.
 *   <li><b>(2b) Deleted keys read 404</b>: if an acknowledged delete's clock descends every value
 *       ever minted for the key (no write after it or concurrent with it), the final version is a
 *       tombstone.
 *   <li><b>(3) Convergence</b> is checked by the simulation (every replica holds the identical
 *       record: clock, HLC, writer, kind and value, not only an equal clock; nodes outside the
 *       preference list hold nothing) and reported through {@link #violation}.
 * </ul>
 *
 * <p>With tombstone GC ({@code purging}), a key may hold nothing because its tombstone was purged.
 * Nothing then stands for a write only if some tombstone sent for the key descends (or is) that
 * write: the write was deleted, then the tombstone went. A value that comes back afterwards is
 * still a resurrection by rule (2a).
 */
final class ReplicationChecker {

    enum Kind {
        PUT,
        GET,
        DELETE
    }

    /** One client request and how it ended. */
    static final class Op {
        final long id;
        final int client;
        final Kind kind;
        final String key;
        final NodeId coordinator;
        final long issuedAt;
        final String value;
        final boolean withContext;
        long doneAt = -1;
        String outcome = "pending";
        boolean ok;
        Versioned version; // a write's acknowledged version
        Optional<Versioned> read = Optional.empty();

        Op(long id, int client, Kind kind, String key, NodeId coordinator, long issuedAt, String value, boolean ctx) {
            this.id = id;
            this.client = client;
            this.kind = kind;
            this.key = key;
            this.coordinator = coordinator;
            this.issuedAt = issuedAt;
            this.value = value;
            this.withContext = ctx;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "op#%d c%d %s %s%s via %s at %.3fms..%.3fms: %s%s",
                    id,
                    client,
                    kind,
                    key,
                    value == null ? "" : "=" + value,
                    coordinator,
                    issuedAt / 1e6,
                    doneAt / 1e6,
                    outcome,
                    version != null
                            ? " " + version
                            : read.map(v -> " read " + describe(v)).orElse(""));
        }
    }

    private final long seed;
    private final boolean purging;
    /** key → the tombstones coordinators sent (new deletes and repairs): what a purge may stand for. */
    private final TreeMap<String, List<Versioned>> tombstonesSent = new TreeMap<>();

    private final List<Op> ops = new ArrayList<>();
    private final TreeMap<String, List<Op>> ackedWrites = new TreeMap<>();
    /** key → value → the version the value was first sent to a replica with. */
    private final TreeMap<String, TreeMap<String, Versioned>> minted = new TreeMap<>();

    private final List<String> violations = new ArrayList<>();

    ReplicationChecker(long seed) {
        this(seed, false);
    }

    /** @param purging tombstones may be purged, so an empty key may stand for a delete */
    ReplicationChecker(long seed, boolean purging) {
        this.seed = seed;
        this.purging = purging;
    }

    Op issue(int client, Kind kind, String key, NodeId coordinator, long now, String value, boolean withContext) {
        Op op = new Op(ops.size() + 1, client, kind, key, coordinator, now, value, withContext);
        ops.add(op);
        return op;
    }

    /** A coordinator sent {@code version} of {@code key} to a replica (a new write or a repair). */
    void sent(String key, Versioned version) {
        if (!version.isTombstone()) {
            minted.computeIfAbsent(key, k -> new TreeMap<>()).putIfAbsent(text(version), version);
        } else if (purging) {
            tombstonesSent.computeIfAbsent(key, k -> new ArrayList<>()).add(version);
        }
    }

    void writeAcked(Op op, Versioned version, long now) {
        op.doneAt = now;
        op.ok = true;
        op.outcome = "ok";
        op.version = version;
        if (op.kind == Kind.PUT && (version.isTombstone() || !text(version).equals(op.value))) {
            violation("%s acknowledged with another value: %s", op, version);
        }
        if (op.kind == Kind.DELETE && !version.isTombstone()) {
            violation("%s acknowledged with a live version %s", op, version);
        }
        ackedWrites.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
    }

    void readDone(Op op, Optional<Versioned> result, long now) {
        op.doneAt = now;
        op.ok = true;
        op.outcome = "ok";
        op.read = result;
        if (result.isPresent() && !result.get().isTombstone()) {
            Map<String, Versioned> values = minted.getOrDefault(op.key, new TreeMap<>());
            if (!values.containsKey(text(result.get()))) {
                violation("%s read a value never written to %s", op, op.key);
            }
        }
        for (Op write : ackedWrites.getOrDefault(op.key, List.of())) {
            if (write.doneAt < op.issuedAt && !holds(op.key, result, write)) {
                violation("read-your-writes: %s missed %s, acknowledged before the read was issued", op, write);
            }
        }
    }

    void failed(Op op, String outcome, long now) {
        op.doneAt = now;
        op.outcome = outcome;
    }

    /** Checks rules (1), (2a) and (2b) on the converged state: key → the version every replica holds. */
    void checkFinal(Map<String, Optional<Versioned>> finalState) {
        for (Map.Entry<String, Optional<Versioned>> e : finalState.entrySet()) {
            String key = e.getKey();
            Optional<Versioned> last = e.getValue();
            List<Op> acked = ackedWrites.getOrDefault(key, List.of());
            for (Op write : acked) {
                if (!holds(key, last, write)) {
                    violation(
                            "(1) acknowledged %s lost: %s converged to %s",
                            write, key, last.map(ReplicationChecker::describe).orElse("nothing"));
                }
            }
            TreeMap<String, Versioned> values = minted.getOrDefault(key, new TreeMap<>());
            if (last.isPresent() && !last.get().isTombstone()) {
                Versioned origin = values.get(text(last.get()));
                if (origin == null) {
                    violation("%s converged to a value never written: %s", key, describe(last.get()));
                    continue;
                }
                for (Op write : acked) {
                    if (write.kind == Kind.DELETE && write.version.clock().compare(origin.clock()) == Causality.AFTER) {
                        violation(
                                "(2a) %s resurrected: converged to %s, which acknowledged %s had deleted",
                                key, describe(last.get()), write);
                    }
                }
            }
            for (Op write : acked) {
                if (write.kind == Kind.DELETE
                        && descendsAll(write.version, values.values())
                        && (last.isEmpty() ? !purging : !last.get().isTombstone())) {
                    violation(
                            "(2b) %s was last deleted by %s, with no later or concurrent write, but converged to %s",
                            key, write, last.map(ReplicationChecker::describe).orElse("nothing"));
                }
            }
        }
    }

    void violation(String format, Object... args) {
        violations.add("seed " + seed + ": " + String.format(Locale.ROOT, format, args));
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }

    /** The ops of {@code key}, in issue order: what a failure report shows. */
    List<Op> opsOn(String key) {
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            if (op.key.equals(key)) {
                out.add(op);
            }
        }
        return out;
    }

    /**
     * Whether {@code held}, read or converged to, keeps acknowledged {@code write}: it contains it
     * ({@link #contains}), or, with purging, a tombstone purge explains why it does not. A purge
     * forgets the causal past of the key, so what is written next need not descend the writes the
     * delete superseded. Then: a delete is kept unless {@code held} is a value the delete
     * superseded (a resurrection); a put is kept unless {@code held} is a value it superseded, and
     * only if some tombstone sent for the key superseded it (or was concurrent and won the merge).
     */
    private boolean holds(String key, Optional<Versioned> held, Op write) {
        if (contains(held, write.version)) {
            return true;
        }
        if (!purging) {
            return false;
        }
        if (held.isPresent() && !held.get().isTombstone()) {
            Versioned origin = minted.getOrDefault(key, new TreeMap<>()).get(text(held.get()));
            if (origin == null || write.version.clock().compare(origin.clock()) == Causality.AFTER) {
                return false;
            }
        }
        return write.kind == Kind.DELETE || deletedLater(key, write.version);
    }

    private boolean deletedLater(String key, Versioned write) {
        for (Versioned tombstone : tombstonesSent.getOrDefault(key, List.of())) {
            boolean mergedOver =
                    tombstone.clock().compare(write.clock()) == Causality.CONCURRENT && tombstone.winsOver(write);
            if (contains(Optional.of(tombstone), write) || mergedOver) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code held} includes {@code write}: descends its clock, or is that same write. */
    static boolean contains(Optional<Versioned> held, Versioned write) {
        if (held.isEmpty()) {
            return false;
        }
        Versioned h = held.get();
        Causality c = h.clock().compare(write.clock());
        if (c == Causality.AFTER) {
            return true;
        }
        return c == Causality.EQUAL && sameWrite(h, write);
    }

    private static boolean descendsAll(Versioned v, Iterable<Versioned> others) {
        for (Versioned o : others) {
            Causality c = v.clock().compare(o.clock());
            if (c != Causality.AFTER) {
                return false;
            }
        }
        return true;
    }

    static boolean sameWrite(Versioned a, Versioned b) {
        return a.hlc() == b.hlc()
                && a.writer().equals(b.writer())
                && a.kind() == b.kind()
                && Arrays.equals(a.value(), b.value());
    }

    static String text(Versioned v) {
        return new String(v.value(), StandardCharsets.UTF_8);
    }

    static String describe(Versioned v) {
        return v.isTombstone() ? "tombstone " + v : "'" + text(v) + "' " + v;
    }
}
