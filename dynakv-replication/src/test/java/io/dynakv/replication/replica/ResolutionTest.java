package io.dynakv.replication.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Replicas converge: applying the same set of versions in any order, with duplicates, leaves every
 * replica with the same version (DESIGN section 2, "Convergence"). Checked against shuffles.
 */
class ResolutionTest {

    @Property(tries = 300)
    void anyDeliveryOrderConvergesToTheSameVersion(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int count) {
        Random random = new Random(seed);
        List<Versioned> versions = randomHistory(random, count);
        Optional<Versioned> reference = applyAll(versions);
        for (int shuffle = 0; shuffle < 5; shuffle++) {
            List<Versioned> order = new ArrayList<>(versions);
            order.addAll(versions.subList(0, random.nextInt(versions.size()) + 1)); // duplicates
            Collections.shuffle(order, random);
            assertThat(applyAll(order)).as("seed=%d", seed).isEqualTo(reference);
        }
    }

    @Property(tries = 300)
    void theKeptVersionSupersedesEveryApplied(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int count) {
        List<Versioned> versions = randomHistory(new Random(seed), count);
        Versioned kept = applyAll(versions).orElseThrow();
        for (Versioned v : versions) {
            assertThat(kept.clock().descends(v.clock())).as("seed=%d", seed).isTrue();
        }
    }

    @Property(tries = 200)
    void aCausalSuccessorAlwaysReplacesItsAncestor(@ForAll long seed) {
        Random random = new Random(seed);
        Versioned ancestor = version(VersionVector.of(Map.of(new NodeId(1), 3L)), 100, 1);
        VersionVector successorClock = ancestor.clock().withDot(new NodeId(1 + random.nextInt(3)), 4);
        Versioned successor = version(successorClock, 101, 2);

        Resolution r = Resolution.of(Optional.of(ancestor), successor);
        assertThat(r.outcome()).isEqualTo(Resolution.Outcome.APPLIED);
        assertThat(Resolution.of(Optional.of(successor), ancestor).outcome())
                .isEqualTo(Resolution.Outcome.ALREADY_KNOWN);
    }

    /**
     * Issue 9 item 2: versions under one clock with different contents (a broken invariant leaves
     * them: a value on one replica, the tombstone that deleted it on another) resolve to the same
     * one in any order, and each such meeting is reported.
     */
    @Property(tries = 300)
    void equalClocksWithDifferentContentsResolveTheSameInAnyOrder(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 6) int count) {
        Random random = new Random(seed);
        VersionVector clock = VersionVector.of(Map.of(new NodeId(1), 2L, new NodeId(2), 1L));
        List<Versioned> versions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long hlc = 1000 + random.nextInt(3);
            NodeId writer = new NodeId(1 + random.nextInt(2));
            versions.add(
                    random.nextInt(3) == 0
                            ? Versioned.tombstone(clock, hlc, writer)
                            : new Versioned(
                                    clock, hlc, writer, ValueKind.BYTES, new byte[] {(byte) random.nextInt(3)}));
        }
        Optional<Versioned> reference = applyAll(versions);
        for (int shuffle = 0; shuffle < 5; shuffle++) {
            List<Versioned> order = new ArrayList<>(versions);
            Collections.shuffle(order, random);
            assertThat(applyAll(order)).as("seed=%d", seed).isEqualTo(reference);
        }
        Versioned kept = reference.orElseThrow();
        for (Versioned v : versions) {
            Resolution r = Resolution.of(Optional.of(kept), v);
            assertThat(r.result()).isEqualTo(kept);
            assertThat(r.outcome())
                    .isEqualTo(v.equals(kept) ? Resolution.Outcome.ALREADY_KNOWN : Resolution.Outcome.DIVERGED_KEPT);
        }
    }

    /** Writes by 3 coordinators, each on the context of a random earlier write (or none). */
    private static List<Versioned> randomHistory(Random random, int count) {
        List<Versioned> versions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            NodeId coordinator = new NodeId(1 + random.nextInt(3));
            Versioned read =
                    versions.isEmpty() || random.nextInt(4) == 0 ? null : versions.get(random.nextInt(versions.size()));
            VersionVector context = read == null ? VersionVector.EMPTY : read.clock();
            VersionVector issued = VersionVector.EMPTY;
            for (Versioned v : versions) {
                issued = issued.merge(v.clock());
            }
            // Skewed clocks: concurrent writes tie or invert freely, but a write's HLC exceeds the
            // version it read, as VersionMinter guarantees by observing the context first.
            long hlc = Math.max(1000 + random.nextInt(50), read == null ? 0 : read.hlc() + 1 + random.nextInt(3));
            versions.add(
                    version(context.withDot(coordinator, issued.counter(coordinator) + 1), hlc, coordinator.value()));
        }
        return versions;
    }

    private static Optional<Versioned> applyAll(List<Versioned> order) {
        Optional<Versioned> stored = Optional.empty();
        for (Versioned v : order) {
            stored = Optional.of(Resolution.of(stored, v).result());
        }
        return stored;
    }

    private static Versioned version(VersionVector clock, long hlc, long writer) {
        return new Versioned(
                clock, hlc, new NodeId(writer), ValueKind.JSON, ("\"" + hlc + "\"").getBytes(StandardCharsets.UTF_8));
    }
}
