package io.dynakv.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ?r=} and {@code ?w=}: one, quorum, all or a number. A single node holds one replica of
 * each key, so 1 is the only number that fits.
 */
class ConsistencyParamTest extends NodeTestBase {

    @ParameterizedTest
    @ValueSource(strings = {"one", "quorum", "all", "1", "ONE", "Quorum", "ALL", "%20one%20"})
    void acceptedLevels(String level) {
        String path = "/cl/key/ok-" + level.replace("%", "_");
        String v1 =
                http.put(path + "?w=" + level, Http.valueBody("1")).expect(201).version();
        assertStored(path + "?r=" + level, "1", v1);
        String v2 = http.patch(path + "?w=" + level + "&r=" + level, "{\"a\":1}")
                .expect(200)
                .version();
        assertStored(path, "{\"a\":1}", v2);
        http.delete(path + "?w=" + level).expect(200);
        http.get(path + "?r=" + level).expectError(404, "not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "2", "3", "-1", "abc", "", "1.0", "quorums", "99999999999"})
    void refusedLevels(String level) {
        String path = "/cl/key/bad";
        String version = put(path, "\"kept\"");
        http.get(path + "?r=" + level).expectError(400, "invalid_consistency");
        http.put(path + "?w=" + level, Http.valueBody("\"changed\"")).expectError(400, "invalid_consistency");
        http.put(path + "?w=" + level, Http.valueBody("\"changed\""), "Content-Type", "application/octet-stream")
                .expectError(400, "invalid_consistency");
        http.delete(path + "?w=" + level).expectError(400, "invalid_consistency");
        http.patch(path + "?w=" + level, "{\"changed\":true}").expectError(400, "invalid_consistency");
        http.patch(path + "?r=" + level, "{\"changed\":true}").expectError(400, "invalid_consistency");
        assertStored(path, "\"kept\"", version);
    }
}
