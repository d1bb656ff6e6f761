package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Wrong methods are 405 with an Allow header; unknown routes are a JSON 404. */
class RoutingTest extends NodeTestBase {

    private static final String KEY_METHODS = "GET, PUT, DELETE, PATCH";

    @ParameterizedTest(name = "{0} {1} -> 405, Allow: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "POST | /key/k | " + KEY_METHODS,
                "POST | /t/key/k | " + KEY_METHODS,
                "OPTIONS | /key/k | " + KEY_METHODS,
                "TRACE | /key/k | " + KEY_METHODS,
                "PUT | /membership | GET",
                "POST | /membership | GET",
                "DELETE | /health | GET",
                "PUT | /health | GET",
                "POST | /stats | GET",
                "DELETE | /stats | GET",
                "PATCH | /metrics | GET",
                "PUT | /metrics | GET",
                "DELETE | /t/keys | GET, POST",
                "PUT | /t/keys | GET, POST",
                "PATCH | /default/keys | GET, POST"
            })
    void wrongMethodIs405WithAllow(String method, String path, String allow) {
        byte[] body = method.equals("TRACE") || method.equals("OPTIONS")
                ? null
                : Http.valueBody("1").getBytes(StandardCharsets.UTF_8);
        Http.Resp r = http.send(method, path, body).expectError(405, "method_not_allowed");
        assertThat(r.header("allow")).hasValue(allow);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/key/never", "/t/key/never"})
    void postToAKeyStoresNothing(String path) {
        http.post(path, Http.valueBody("1")).expectError(405, "method_not_allowed");
        http.get(path).expectError(404, "not_found");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/nope",
                "/key",
                "/keys",
                "/t/key",
                "/t/keys/extra",
                "/t/k/x",
                "/t/value/x",
                "/health/",
                "/membership/x",
                "/stats.json",
                "/METRICS",
                "/Key/k",
                "/t/KEY/k",
                "//key/k",
                "/t//key/k"
            })
    void unknownRouteIsAJson404(String path) {
        for (String method : new String[] {"GET", "PUT", "DELETE", "POST"}) {
            byte[] body = method.equals("GET") || method.equals("DELETE")
                    ? null
                    : Http.valueBody("1").getBytes(StandardCharsets.UTF_8);
            http.send(method, path, body).expectError(404, "not_found");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/membership", "/stats", "/metrics"})
    void infoEndpointsIgnoreQueries(String path) {
        http.get(path + "?x=1&r=all").expect(200);
    }
}
