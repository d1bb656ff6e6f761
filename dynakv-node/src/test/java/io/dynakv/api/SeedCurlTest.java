package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynakv.api.RawConnection.RawResponse;
import org.junit.jupiter.api.Test;

/**
 * The seed's README, byte for byte: {@code curl -X PUT http://localhost:6660/key/mykey -d
 * '{"value": "mydata"}'} sends a form content type, which the API must ignore (DESIGN section 1).
 */
class SeedCurlTest extends NodeTestBase {

    /** What curl 8 puts on the wire for the seed's PUT. */
    private RawResponse curlPut(String key, String body) {
        String request = "PUT /key/" + key + " HTTP/1.1\r\n"
                + "Host: localhost:" + node.port() + "\r\n"
                + "User-Agent: curl/8.5.0\r\n"
                + "Accept: */*\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "\r\n"
                + body;
        return RawConnection.exchange(node.port(), request);
    }

    @Test
    void seedWalkthrough() {
        RawResponse put = curlPut("mykey", "{\"value\": \"mydata\"}");
        assertThat(put.status()).as(put.text()).isEqualTo(201);
        JsonNode created = put.json();
        assertThat(created.size()).isEqualTo(2);
        assertThat(created.get("key").asText()).isEqualTo("mykey");
        String v1 = created.get("version").asText();
        assertThat(v1).isNotBlank();
        assertThat(put.headers()).containsEntry("etag", '"' + v1 + '"');

        Http.Resp get = http.get("/key/mykey").expect(200).expectEtag(v1);
        assertThat(get.json())
                .isEqualTo(Http.parse("{\"key\":\"mykey\",\"value\":\"mydata\",\"version\":\"" + v1 + "\"}"));
        assertThat(get.header("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));

        JsonNode deleted = http.delete("/key/mykey").expect(200).json();
        assertThat(deleted.size()).isEqualTo(3);
        assertThat(deleted.get("key").asText()).isEqualTo("mykey");
        assertThat(deleted.get("deleted").asBoolean()).isTrue();
        String v2 = deleted.get("version").asText();
        assertThat(v2).isNotBlank().isNotEqualTo(v1);

        http.get("/key/mykey").expectError(404, "not_found");

        JsonNode again = http.delete("/key/mykey").expect(200).json();
        assertThat(again.get("deleted").asBoolean()).isTrue();
        assertThat(again.get("key").asText()).isEqualTo("mykey");
        http.get("/key/mykey").expectError(404, "not_found");

        RawResponse reput = curlPut("mykey", "{\"value\": \"mydata2\"}");
        assertThat(reput.status()).isEqualTo(201);
        String v3 = reput.json().get("version").asText();
        assertThat(v3).isNotEqualTo(v1).isNotEqualTo(v2);
        assertStored("/key/mykey", "\"mydata2\"", v3);
    }

    @Test
    void putWithoutAnyContentTypeIsJson() {
        String version =
                http.put("/key/plain", "{\"value\": \"mydata\"}").expect(201).version();
        assertStored("/key/plain", "\"mydata\"", version);
    }

    @Test
    void putWithJsonContentType() {
        String version = http.put("/key/typed", "{\"value\": {\"a\": 1}}", "Content-Type", "application/json")
                .expect(201)
                .version();
        assertStored("/key/typed", "{\"a\":1}", version);
    }

    @Test
    void membershipAsTheSeedShowsIt() {
        JsonNode membership = http.get("/membership").expect(200).json();
        assertThat(membership.get("nodes").get(0).get("address").asText()).isEqualTo("127.0.0.1:" + node.port());
    }
}
