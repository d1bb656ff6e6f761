package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.storage.InMemoryStorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Paging returns every live key exactly once, whatever the page size and scan budget. */
class KeyListingTest {

    private static final int PARTITIONS = 8;

    @Property(tries = 200)
    void everyLiveKeyExactlyOnce(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 300) int keys,
            @ForAll @IntRange(min = 1, max = 50) int limit,
            @ForAll @IntRange(min = 1, max = 40) int budget) {
        Random random = new Random(seed);
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        for (int i = 0; i < keys; i++) {
            String key = (random.nextBoolean() ? "p" : "q") + random.nextInt(1000);
            boolean deleted = random.nextInt(3) == 0;
            storage.put(random.nextInt(PARTITIONS), "t", bytes(key), version(deleted));
            storage.put(random.nextInt(PARTITIONS), "other", bytes(key), version(false)); // another table
        }
        List<String> listed = listAll(storage, bytes("p"), limit, budget);
        List<String> expectedKeys = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            storage.scan(p, "t", bytes("p"), null, Integer.MAX_VALUE).stream()
                    .filter(r -> !r.value().isTombstone())
                    .forEach(r -> expectedKeys.add(new String(r.key(), StandardCharsets.UTF_8)));
        }
        assertThat(listed).as("seed=%d", seed).containsExactlyElementsOf(expectedKeys);
        assertThat(listed).allMatch(k -> k.startsWith("p"));
    }

    @Property(tries = 50)
    void cursorTokensRoundTripAndGarbageIsRejected(
            @ForAll @IntRange(min = 0, max = PARTITIONS - 1) int partition, @ForAll String afterKey) {
        KeyListing.Cursor cursor = new KeyListing.Cursor(partition, bytes(afterKey));
        Optional<KeyListing.Cursor> parsed = KeyListing.Cursor.parse(cursor.toToken(), PARTITIONS);
        assertThat(parsed).isPresent();
        assertThat(parsed.get().partition()).isEqualTo(partition);
        assertThat(parsed.get().afterKey()).isEqualTo(bytes(afterKey));
        assertThat(KeyListing.Cursor.parse("not a cursor!", PARTITIONS)).isEmpty();
        assertThat(KeyListing.Cursor.parse(new KeyListing.Cursor(PARTITIONS, null).toToken(), PARTITIONS))
                .isEmpty();
    }

    private static List<String> listAll(InMemoryStorageEngine storage, byte[] prefix, int limit, int budget) {
        List<String> out = new ArrayList<>();
        Optional<KeyListing.Cursor> cursor = Optional.empty();
        for (int page = 0; page < 10_000; page++) {
            KeyListing.Page result = KeyListing.list(storage, PARTITIONS, "t", prefix, cursor, limit, budget);
            assertThat(result.keys().size()).isLessThanOrEqualTo(limit);
            result.keys().forEach(k -> out.add(new String(k, StandardCharsets.UTF_8)));
            if (result.next().isEmpty()) {
                return out;
            }
            cursor = Optional.of(KeyListing.Cursor.parse(result.next().get().toToken(), PARTITIONS)
                    .orElseThrow());
        }
        throw new AssertionError("listing did not finish in 10,000 pages");
    }

    private static Versioned version(boolean tombstone) {
        VersionVector clock = VersionVector.of(Map.of(new NodeId(1), 1L));
        return tombstone
                ? Versioned.tombstone(clock, 1, new NodeId(1))
                : new Versioned(clock, 1, new NodeId(1), ValueKind.JSON, bytes("1"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
