package io.dynakv.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.nio.charset.StandardCharsets;

/**
 * A request body from fuzzer input, or null for none: PUT bodies with any JSON value, batch-get
 * bodies, the same cut short, numbers and nesting beyond the parser's limits, bodies over the
 * size limit, and raw bytes. Generated JSON stays close enough to valid that mutations explore
 * the handlers rather than only the parser's first error.
 */
final class FuzzedBody {

    private static final int MAX_JSON_DEPTH = 6;

    private FuzzedBody() {}

    static byte[] from(FuzzedDataProvider data, int maxBodyBytes) {
        switch (data.consumeInt(0, 8)) {
            case 0:
                return null;
            case 1:
                return utf8("{\"value\":" + json(data, 0) + contextField(data) + "}");
            case 2:
                return utf8("{\"keys\":[" + json(data, 0) + "," + json(data, 0) + "]}");
            case 3:
                String document = "{\"value\":" + json(data, 0) + "}";
                return utf8(document.substring(0, data.consumeInt(0, document.length())));
            case 4:
                int depth = data.consumeInt(0, 2000);
                return utf8("{\"value\":" + "[".repeat(depth) + "]".repeat(data.consumeInt(0, depth)) + "}");
            case 5:
                return utf8("{\"value\":" + data.consumeInt(1, 9) + "1234567890".repeat(data.consumeInt(0, 200))
                        + (data.consumeBoolean() ? "e" + data.consumeInt() : "") + "}");
            case 6:
                return new byte[maxBodyBytes + data.consumeInt(-2, 2)];
            case 7:
                return utf8(json(data, 0)); // a merge patch is any JSON document
            default:
                return data.consumeBytes(data.consumeInt(0, 512));
        }
    }

    /** A JSON value, usually valid, its depth bounded so one input stays small. */
    private static String json(FuzzedDataProvider data, int depth) {
        int kind = data.consumeInt(0, depth >= MAX_JSON_DEPTH ? 4 : 6);
        switch (kind) {
            case 0:
                return "null";
            case 1:
                return data.consumeBoolean() ? "true" : "false";
            case 2:
                return data.consumeBoolean()
                        ? Long.toString(data.consumeLong())
                        : Double.toString(data.consumeDouble());
            case 3:
                return quoted(data.consumeString(40));
            case 4:
                return data.consumeString(20);
            case 5:
                StringBuilder array = new StringBuilder("[");
                int items = data.consumeInt(0, 3);
                for (int i = 0; i < items; i++) {
                    array.append(i == 0 ? "" : ",").append(json(data, depth + 1));
                }
                return array.append(']').toString();
            default:
                StringBuilder object = new StringBuilder("{");
                int fields = data.consumeInt(0, 3);
                for (int i = 0; i < fields; i++) {
                    object.append(i == 0 ? "" : ",")
                            .append(quoted(data.consumeString(10)))
                            .append(':')
                            .append(json(data, depth + 1));
                }
                return object.append('}').toString();
        }
    }

    private static String contextField(FuzzedDataProvider data) {
        return data.consumeBoolean() ? ",\"context\":" + json(data, MAX_JSON_DEPTH) : "";
    }

    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
