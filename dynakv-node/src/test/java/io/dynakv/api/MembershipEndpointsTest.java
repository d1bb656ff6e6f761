package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The membership endpoints on a node that is a cluster of one: GET /membership, the operator's
 * DELETE /membership/{node_id} (POST /membership/leave, which stops the node, has its own node in
 * LeaveEndpointTest), a table named "membership", and {@code ?local=true} reads.
 */
class MembershipEndpointsTest extends NodeTestBase {

    private static final String UNKNOWN_ID = "0123456789abcdef";

    /** A probed free peer port: the default (HTTP port + 10000) does not exist above port 55535. */
    @Override
    List<String> nodeArgs() {
        int peer = TestNode.freePort();
        return List.of("--peer-port", Integer.toString(peer));
    }

    private JsonNode self() {
        JsonNode nodes = http.get("/membership").expect(200).json().get("nodes");
        assertThat(nodes).hasSize(1);
        return nodes.get(0);
    }

    private String ownId() {
        return node.node().handle().id().toString();
    }

    @Test
    void membershipListsThisNodeUpWithBothAddresses() {
        JsonNode m = http.get("/membership").expect(200).json();
        JsonNode self = self();
        String address = "127.0.0.1:" + node.port();
        String peer = "127.0.0.1:" + node.config().peerPort();
        assertThat(self.get("status").asText()).isEqualTo("up");
        assertThat(self.get("self").asBoolean()).isTrue();
        assertThat(self.get("address").asText()).isEqualTo(address);
        assertThat(self.get("peer_address").asText()).isEqualTo(peer);
        assertThat(self.get("gossip_address").asText()).isEqualTo(address + "|" + peer);
        assertThat(self.get("node_id").asText())
                .matches("[0-9a-f]{16}")
                .isEqualTo(ownId())
                .isEqualTo(http.get("/health").json().get("node_id").asText());
        assertThat(self.get("incarnation").isIntegralNumber()).isTrue();
        assertThat(self.get("incarnation").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(self.get("partitions").asInt()).isEqualTo(256);
        assertThat(m.get("partitions").asInt()).isEqualTo(256);
        assertThat(m.get("ring_epoch").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(m.get("active_count").asInt()).isEqualTo(1);
        assertThat(m.get("replication_factor").asInt()).isBetween(1, 3);
    }

    @Test
    void aNodeDoesNotRemoveItself() {
        http.delete("/membership/" + ownId()).expectError(409, "conflict");
        http.delete("/membership/" + ownId().toUpperCase(Locale.ROOT)).expectError(409, "conflict");
        assertThat(self().get("status").asText()).isEqualTo("up");
    }

    @Test
    void removingAnUnknownNodeIs404() {
        Http.Resp r = http.delete("/membership/" + UNKNOWN_ID).expectError(404, "not_found");
        assertThat(r.json().get("message").asText()).contains(UNKNOWN_ID);
        http.delete("/membership/0000000000000000").expectError(404, "not_found");
        http.delete("/membership/FFFFFFFFFFFFFFFF").expectError(404, "not_found");
    }

    @ParameterizedTest(name = "{0} {1} -> 405, Allow: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET | /membership/" + UNKNOWN_ID + " | DELETE",
                "POST | /membership/" + UNKNOWN_ID + " | DELETE",
                "PUT | /membership/" + UNKNOWN_ID + " | DELETE",
                "GET | /membership/leave | POST",
                "DELETE | /membership/leave | POST",
                "PUT | /membership/leave | POST",
                "PATCH | /membership/leave | POST"
            })
    void wrongMethodOnAMemberIs405WithAllow(String method, String path, String allow) {
        Http.Resp r = http.send(method, path, null).expectError(405, "method_not_allowed");
        assertThat(r.header("allow")).hasValue(allow);
        assertThat(self().get("status").asText()).isEqualTo("up"); // in particular, it did not leave
    }

    @Test
    void memberPathsThatAreNeitherAnIdNorLeaveAre404() {
        for (String path : new String[] {
            "/membership/0123456789abcde", // 15 digits
            "/membership/0123456789abcdef0", // 17
            "/membership/0123456789abcdeg",
            "/membership/LEAVE",
            "/membership/" + UNKNOWN_ID + "/x",
            "/membership/"
        }) {
            http.delete(path).expectError(404, "not_found");
            http.post(path, "").expectError(404, "not_found");
        }
    }

    @Test
    void aTableNamedMembershipStillWorks() {
        String version = put("/membership/key/x", "{\"a\":1}");
        assertStored("/membership/key/x", "{\"a\":1}", version);
        put("/membership/key/leave", "2");
        put("/membership/key/" + UNKNOWN_ID, "3");
        JsonNode keys = http.get("/membership/keys").expect(200).json().get("keys");
        assertThat(keys).extracting(JsonNode::asText).containsExactlyInAnyOrder("x", "leave", UNKNOWN_ID);
        http.delete("/membership/key/x").expect(200);
        http.get("/membership/key/x").expectError(404, "not_found");
        assertThat(self().get("status").asText()).isEqualTo("up");
    }

    @Test
    void localReadReturnsTheStoredValue() {
        String version = put("/key/local-k", "{\"n\":7}");
        Http.Resp r = http.get("/key/local-k?local=true").expect(200).expectEtag(version);
        assertThat(r.json().get("value")).isEqualTo(Http.parse("{\"n\":7}"));
        assertThat(r.version()).isEqualTo(version);
        assertThat(http.get("/key/local-k?local=false").expect(200).version()).isEqualTo(version);

        String tableVersion = put("/local_table/key/k", "[1,2]");
        assertStored("/local_table/key/k?local=true", "[1,2]", tableVersion);
    }

    @Test
    void localReadOfRawBytesGivesTheBytes() {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        http.putBytes("/key/local-raw", bytes, "Content-Type", "application/octet-stream")
                .expect(201);
        Http.Resp r = http.get("/key/local-raw?local=true", "Accept", "application/octet-stream")
                .expect(200);
        assertThat(r.body()).isEqualTo(bytes);
    }

    @Test
    void localReadOfAMissingOrDeletedKeyIs404() {
        http.get("/key/local-never?local=true").expectError(404, "not_found");
        put("/key/local-deleted", "1");
        http.delete("/key/local-deleted").expect(200);
        http.get("/key/local-deleted?local=true").expectError(404, "not_found");
    }

    /** A cluster of one is every key's only replica; a quorum read does not say. */
    @Test
    void localReadSaysWhetherThisNodeIsAReplica() {
        put("/key/local-replica", "1");
        assertThat(http.get("/key/local-replica?local=true").expect(200).header("X-DynaKV-Replica"))
                .contains("true");
        assertThat(http.get("/key/local-absent?local=true").header("X-DynaKV-Replica"))
                .contains("true");
        assertThat(http.get("/key/local-replica").expect(200).header("X-DynaKV-Replica"))
                .isEmpty();
    }

    @Test
    void localMustBeTrueOrFalse() {
        put("/key/local-bad", "1");
        for (String value : new String[] {"maybe", "", "1", "yes"}) {
            Http.Resp r = http.get("/key/local-bad?local=" + value).expectError(400, "bad_request");
            assertThat(r.json().get("message").asText()).contains("local");
        }
    }
}
