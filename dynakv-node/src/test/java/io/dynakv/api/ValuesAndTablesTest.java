package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Any JSON value round-trips; named tables are independent; /key/k is table default. */
class ValuesAndTablesTest extends NodeTestBase {

    private static final AtomicInteger NEXT = new AtomicInteger();

    static List<String> values() {
        List<String> values = new ArrayList<>(List.of(
                "\"mydata\"",
                "\"\"",
                "42",
                "0",
                "-7",
                "3.25",
                "-0.5e-3",
                "123456789012345678901234567890",
                "true",
                "false",
                "null",
                "{}",
                "[]",
                "{\"a\":1,\"b\":\"two\",\"c\":[true,false,null]}",
                "[1,\"two\",null,true,{\"x\":[]}]",
                "{\"a\":{\"b\":[{\"c\":[1,{\"d\":null}]}],\"e\":{\"f\":{\"g\":\"h\"}}}}",
                "\"h\u00e9llo w\u00f6rld \u4e16\u754c \uD83D\uDE00\"",
                "\"escapes: \\u0000 \\n \\t \\\" \\\\ \\/ \\u00e9 \\uD83D\\uDE00\"",
                "{\"\u00e9\u00e8\":\"\u4e16\",\"\uD83D\uDE00\":[\"\\u0001\"]}",
                "\"" + "x".repeat(10_000) + "\""));
        // Deep, but inside the parser's bound of 256 levels (the body object is one of them).
        values.add("[".repeat(200) + "]".repeat(200));
        values.add("{\"a\":".repeat(100) + "1" + "}".repeat(100));
        return values;
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("values")
    void anyJsonValueRoundTrips(String json) {
        String path = "/key/value-" + NEXT.incrementAndGet();
        Http.Resp put = http.put(path, Http.valueBody(json)).expect(201);
        String version = put.version();
        put.expectEtag(version);
        JsonNode got = http.get(path).expect(200).expectEtag(version).json();
        assertThat(got.get("value")).isEqualTo(Http.parse(json));
        assertThat(got.get("version").asText()).isEqualTo(version);
        assertThat(got.has("encoding")).isFalse();
    }

    /** Numbers are stored as given, never through a double (1e400 must not become "Infinity"). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "1e400",
                "-1e400",
                "1e-400",
                "0.1000000000000000000000001",
                "3.141592653589793238462643383279",
                "123456789012345678901234567890.5",
                "-0.0",
                "1E+2",
                "9007199254740993"
            })
    void numbersAreStoredExactly(String number) {
        String version = put("/key/number", number);
        String stored = http.get("/key/number", "Accept", "application/octet-stream")
                .expect(200)
                .expectEtag(version)
                .text();
        JsonNode value = Http.parseExact(stored);
        assertThat(value.isNumber()).as("%s stored as %s", number, stored).isTrue();
        assertThat(value.decimalValue())
                .as("%s stored as %s", number, stored)
                .isEqualByComparingTo(new BigDecimal(number));
        JsonNode read =
                Http.parseExact(http.get("/key/number").expect(200).text()).get("value");
        assertThat(read.decimalValue()).isEqualByComparingTo(new BigDecimal(number));
    }

    @Test
    void whitespaceInTheBodyIsNotPartOfTheValue() {
        String version = http.put("/key/spaced", "\n {  \"value\" :\t[ 1 , { \"a\" : \"b c\" } ] \r\n}  \n")
                .expect(201)
                .version();
        assertStored("/key/spaced", "[1,{\"a\":\"b c\"}]", version);
        // Stored as compact JSON text: a raw read returns exactly that text.
        Http.Resp raw =
                http.get("/key/spaced", "Accept", "application/octet-stream").expect(200);
        assertThat(raw.text()).isEqualTo("[1,{\"a\":\"b c\"}]");
    }

    @Test
    void contextFieldMayComeFirst() {
        String v1 = put("/key/ctx-first", "1");
        String v2 = http.put("/key/ctx-first", "{\"context\":\"" + v1 + "\",\"value\":2}")
                .expect(201)
                .version();
        assertStored("/key/ctx-first", "2", v2);
    }

    @Test
    void overwriteReplacesTheValue() {
        put("/key/over", "{\"a\":1}");
        String v2 = put("/key/over", "[\"b\"]");
        assertStored("/key/over", "[\"b\"]", v2);
    }

    @Test
    void namedTablesAreIndependent() {
        String v1 = put("/t1/key/k", "\"one\"");
        String v2 = put("/t2/key/k", "\"two\"");
        assertStored("/t1/key/k", "\"one\"", v1);
        assertStored("/t2/key/k", "\"two\"", v2);
        http.get("/t3/key/k").expectError(404, "not_found");
        http.get("/key/k").expectError(404, "not_found");

        http.delete("/t1/key/k").expect(200);
        http.get("/t1/key/k").expectError(404, "not_found");
        assertStored("/t2/key/k", "\"two\"", v2);

        assertThat(http.get("/t2/keys").expect(200).json().get("keys")).containsExactly(Http.parse("\"k\""));
        assertThat(http.get("/t1/keys").expect(200).json().get("keys")).isEmpty();
    }

    @Test
    void keyPathIsTableDefault() {
        String v1 = put("/key/shared", "\"via /key\"");
        assertStored("/default/key/shared", "\"via /key\"", v1);
        String v2 = http.put("/default/key/shared", "{\"value\":\"via /default\",\"context\":\"" + v1 + "\"}")
                .expect(201)
                .version();
        assertStored("/key/shared", "\"via /default\"", v2);
        http.delete("/default/key/shared").expect(200);
        http.get("/key/shared").expectError(404, "not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"A", "z", "0", "under_score", "dash-ed", "MiXeD_09-x"})
    void validTableNames(String table) {
        String version = put("/" + table + "/key/k", "1");
        assertStored("/" + table + "/key/k", "1", version);
        assertThat(http.get("/" + table + "/keys").expect(200).json().get("keys"))
                .contains(Http.parse("\"k\""));
    }

    @Test
    void tableNameOf64CharactersIsAllowed() {
        String table = "t".repeat(64);
        String version = put("/" + table + "/key/k", "1");
        assertStored("/" + table + "/key/k", "1", version);
    }

    @Test
    void valueOfOneMebibyteDefaultLimitIsAccepted() {
        // Default --max-value-bytes is 1 MiB: the compact JSON text of a value may be that long.
        String big = "\"" + "v".repeat((1 << 20) - 2) + "\"";
        assertThat(big.getBytes(StandardCharsets.UTF_8)).hasSize(1 << 20);
        String version = put("/key/mebibyte", big);
        assertStored("/key/mebibyte", big, version);
        http.put("/key/mebibyte-plus-one", Http.valueBody("\"" + "v".repeat((1 << 20) - 1) + "\""))
                .expectError(413, "payload_too_large");
        http.get("/key/mebibyte-plus-one").expectError(404, "not_found");
    }
}
