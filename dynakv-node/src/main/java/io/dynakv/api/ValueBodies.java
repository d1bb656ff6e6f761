package io.dynakv.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON bodies of writes: a PUT's {@code {"value": <any JSON>, "context": "<token>"}} and a
 * PATCH's merge patch (RFC 7396). Values are stored as their compact JSON text, so a GET can put
 * them into its answer without parsing them again.
 */
final class ValueBodies {

    private static final String PUT_SHAPE =
            "a PUT body is {\"value\": <any JSON>} with an optional \"context\": \"<version>\"";

    /** A parsed PUT body. */
    record PutBody(byte[] value, String context) {}

    private ValueBodies() {}

    static PutBody parsePut(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("invalid_json", "the body is empty; " + PUT_SHAPE);
        }
        try (JsonParser p = Json.parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("invalid_json", "the body is not a JSON object; " + PUT_SHAPE);
            }
            byte[] value = null;
            String context = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                if (name.equals("value")) {
                    value = compact(p);
                } else if (name.equals("context")) {
                    if (token != JsonToken.VALUE_STRING) {
                        throw ApiException.badRequest(
                                "invalid_json", "\"context\" must be the version string a read returned");
                    }
                    context = p.getText();
                } else {
                    throw ApiException.badRequest("invalid_json", "unknown field \"" + name + "\"; " + PUT_SHAPE);
                }
            }
            if (p.nextToken() != null) {
                throw ApiException.badRequest("invalid_json", "unexpected data after the JSON object");
            }
            if (value == null) {
                throw ApiException.badRequest("invalid_json", "the body has no \"value\" field; " + PUT_SHAPE);
            }
            return new PutBody(value, context);
        } catch (JsonProcessingException e) {
            throw invalidJson(e);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", "the body could not be read as JSON: " + e.getMessage());
        }
    }

    /** Parses a whole body as one JSON document; {@code shape} tells the client what is expected. */
    static JsonNode parseDocument(byte[] body, String shape) {
        if (body.length == 0) {
            throw ApiException.badRequest("invalid_json", "the body is empty; " + shape);
        }
        try (JsonParser p = Json.parser(body)) {
            JsonNode patch = Json.MAPPER.readTree(p);
            if (patch == null || patch.isMissingNode()) {
                throw ApiException.badRequest("invalid_json", "the body holds no JSON; " + shape);
            }
            if (p.nextToken() != null) {
                throw ApiException.badRequest("invalid_json", "unexpected data after the JSON document");
            }
            return patch;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_json", beyondExactDecimals(e));
        } catch (JsonProcessingException e) {
            throw invalidJson(e);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", "the body could not be read as JSON: " + e.getMessage());
        }
    }

    /**
     * Parses a stored JSON value (text this API wrote, so it is valid). A PUT stores numbers as
     * their text, so a value may hold one that a tree cannot keep exact; merging it would change
     * it, so that is refused as a conflict.
     */
    static JsonNode parseStored(byte[] value) {
        try {
            return Json.MAPPER.readTree(value);
        } catch (NumberFormatException e) {
            throw new ApiException(
                    409,
                    "not_mergeable",
                    "the stored value cannot be patched: " + beyondExactDecimals(e)
                            + "; PUT the whole new value instead");
        } catch (IOException e) {
            throw new IllegalStateException("a stored JSON value does not parse: " + e.getMessage(), e);
        }
    }

    /** RFC 7396 section 2: apply {@code patch} to {@code target} (which may be null). */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result =
                target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.MAPPER.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    static byte[] compact(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree does not serialize: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the value at the parser's current token as compact JSON. Numbers are copied as their
     * original text: going through a double would turn 1e400 into "Infinity" and round long
     * decimals, and a store must give back what it was given.
     */
    private static byte[] compact(JsonParser p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            int depth = 0;
            do {
                JsonToken token = p.currentToken();
                if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    g.writeNumber(p.getText());
                } else {
                    g.copyCurrentEvent(p);
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
            } while (depth > 0 && p.nextToken() != null);
        }
        return out.toByteArray();
    }

    /**
     * Trees keep decimals as BigDecimal (see {@link Json#MAPPER}), whose scale is an int: an
     * exponent beyond about 2^31 does not fit, and Jackson says so with a NumberFormatException.
     */
    private static String beyondExactDecimals(NumberFormatException e) {
        return "a number is too large to keep exactly (" + e.getMessage() + ")";
    }

    private static ApiException invalidJson(JsonProcessingException e) {
        return ApiException.badRequest("invalid_json", "the body is not valid JSON: " + e.getOriginalMessage());
    }
}
