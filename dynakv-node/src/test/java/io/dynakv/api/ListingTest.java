package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /{table}/keys?prefix=&limit=&cursor=}: every live key exactly once, page by page. */
class ListingTest extends NodeTestBase {

    /** 150 "alpha/" keys and 100 "beta/" keys in table "listing". */
    static final List<String> KEYS = IntStream.range(0, 250)
            .mapToObj(i -> (i < 150 ? "alpha/" : "beta/") + String.format("%03d", i))
            .collect(Collectors.toList());

    @BeforeAll
    void fill() {
        for (String key : KEYS) {
            http.put("/listing/key/" + key, Http.valueBody("\"" + key + "\"")).expect(201);
        }
    }

    /** Follows the cursor until it is null; asserts each page's shape and size. */
    private List<String> listAll(String table, String query, int limit) {
        return listAll(table, query, limit, null);
    }

    private List<String> listAll(String table, String query, int limit, String startCursor) {
        List<String> all = new ArrayList<>();
        String cursor = startCursor;
        int pages = 0;
        do {
            String url = "/" + table + "/keys?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = http.get(url).expect(200).json();
            assertThat(page.get("keys").isArray()).isTrue();
            assertThat(page.get("keys").size()).isLessThanOrEqualTo(limit);
            assertThat(page.has("cursor")).isTrue();
            page.get("keys").forEach(k -> all.add(k.asText()));
            cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
            assertThat(++pages).as("pages").isLessThan(1000);
        } while (cursor != null);
        return all;
    }

    @Test
    void paginatesEveryKeyExactlyOnce() {
        List<String> all = listAll("listing", "", 100);
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(KEYS);
    }

    @Test
    void firstPageIsFullWithACursor() {
        JsonNode page = http.get("/listing/keys?limit=100").expect(200).json();
        assertThat(page.get("keys").size()).isEqualTo(100);
        assertThat(page.get("cursor").isTextual()).isTrue();
    }

    @Test
    void defaultLimitIs100() {
        JsonNode page = http.get("/listing/keys").expect(200).json();
        assertThat(page.get("keys").size()).isEqualTo(100);
        assertThat(page.get("cursor").isTextual()).isTrue();
    }

    @Test
    void oneLargePageHoldsEverything() {
        JsonNode page = http.get("/listing/keys?limit=1000").expect(200).json();
        assertThat(page.get("keys").size()).isEqualTo(250);
        assertThat(page.get("cursor").isNull()).isTrue();
    }

    @Test
    void smallPagesAlsoCoverEverything() {
        assertThat(listAll("listing", "", 7)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(KEYS);
    }

    @Test
    void prefixFilters() {
        List<String> alpha = listAll("listing", "&prefix=alpha/", 100);
        assertThat(alpha)
                .hasSize(150)
                .doesNotHaveDuplicates()
                .allMatch(k -> k.startsWith("alpha/"))
                .containsExactlyInAnyOrderElementsOf(KEYS.subList(0, 150));
        assertThat(listAll("listing", "&prefix=beta%2F", 30))
                .containsExactlyInAnyOrderElementsOf(KEYS.subList(150, 250));
        assertThat(listAll("listing", "&prefix=alpha/01", 100))
                .containsExactlyInAnyOrder(IntStream.range(10, 20)
                        .mapToObj(i -> String.format("alpha/%03d", i))
                        .toArray(String[]::new));
        assertThat(listAll("listing", "&prefix=gamma", 100)).isEmpty();
        assertThat(listAll("listing", "&prefix=", 1000)).hasSize(250);
    }

    @Test
    void unicodePrefix() {
        put("/uni/key/%C3%A9t%C3%A9", "1");
        put("/uni/key/%C3%A9cole", "2");
        put("/uni/key/ete", "3");
        assertThat(listAll("uni", "&prefix=%C3%A9", 100)).containsExactlyInAnyOrder("\u00e9t\u00e9", "\u00e9cole");
    }

    @Test
    void deletedKeysAreNotListed() {
        for (int i = 0; i < 30; i++) {
            put("/deleting/key/k" + i, "1");
        }
        for (int i = 0; i < 30; i += 3) {
            http.delete("/deleting/key/k" + i).expect(200);
        }
        http.delete("/deleting/key/never-existed").expect(200);
        List<String> expected = IntStream.range(0, 30)
                .filter(i -> i % 3 != 0)
                .mapToObj(i -> "k" + i)
                .collect(Collectors.toList());
        assertThat(listAll("deleting", "", 4)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void tablesAreListedSeparately() {
        assertThat(listAll("empty_table", "", 10)).isEmpty();
        JsonNode page = http.get("/empty_table/keys").expect(200).json();
        assertThat(page.get("keys")).isEmpty();
        assertThat(page.get("cursor").isNull()).isTrue();
        put("/other/key/alpha/000", "1");
        assertThat(listAll("other", "", 10)).containsExactly("alpha/000");
        assertThat(listAll("listing", "", 1000)).hasSize(250);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "abc", "-1", "", "1.5", "99999999999", "%20"})
    void badLimitIsRefused(String limit) {
        http.get("/listing/keys?limit=" + limit).expectError(400, "invalid_limit");
    }

    @Test
    void limitBoundariesAreAccepted() {
        assertThat(http.get("/listing/keys?limit=1")
                        .expect(200)
                        .json()
                        .get("keys")
                        .size())
                .isEqualTo(1);
        assertThat(http.get("/listing/keys?limit=1000")
                        .expect(200)
                        .json()
                        .get("keys")
                        .size())
                .isEqualTo(250);
    }

    static String[] badCursors() {
        return new String[] {
            "%21%21%21", // not base64
            "AAA", // too short: no key marker
            "A", // not even one byte
            Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {0x01, 0x00, 0x00}), // partition 256
            Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x00}),
            Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {0x00, 0x01, 0x05}), // marker 5
            "not+a+cursor"
        };
    }

    @Test
    void badCursorIsRefused() {
        for (String cursor : badCursors()) {
            http.get("/listing/keys?cursor=" + cursor).expectError(400, "invalid_cursor");
        }
    }

    @Test
    void emptyCursorStartsFromTheBeginning() {
        JsonNode page = http.get("/listing/keys?limit=1000&cursor=").expect(200).json();
        assertThat(page.get("keys").size()).isEqualTo(250);
    }

    @Test
    void aCursorSurvivesWritesBetweenPages() {
        JsonNode first = http.get("/listing/keys?limit=50").expect(200).json();
        String cursor = first.get("cursor").asText();
        put("/listing/key/zz-new", "1");
        http.delete("/listing/key/zz-new").expect(200);
        List<String> rest = listAll("listing", "", 1000, cursor);
        List<String> all = new ArrayList<>();
        first.get("keys").forEach(k -> all.add(k.asText()));
        all.addAll(rest);
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(KEYS);
    }
}
