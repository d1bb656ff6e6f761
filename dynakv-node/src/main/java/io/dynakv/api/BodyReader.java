package io.dynakv.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * Reads a request body up to a limit. A declared Content-Length over the limit is refused before a
 * byte of body is read (and before {@code 100 Continue}, so curl never sends it); a chunked body is
 * refused the moment it passes the limit. Either way the connection is closed, since the rest of
 * the body would otherwise be read as the next request.
 */
final class BodyReader {

    private BodyReader() {}

    /** Calls {@code onBody} with the whole body, or answers 413 itself. */
    static void read(HttpServerRequest request, int maxBytes, Consumer<byte[]> onBody) {
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_request", "Content-Length is not a number: " + declared);
            }
            if (length > maxBytes) {
                Responses.errorAndClose(request, tooLarge(length, maxBytes));
                return;
            }
        }
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            request.response().writeContinue();
        }
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxBytes) {
                refused[0] = true;
                Responses.errorAndClose(request, tooLarge(body.length() + chunk.length(), maxBytes));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(ignored -> {
            if (!refused[0]) {
                onBody.accept(body.getBytes());
            }
        });
    }

    private static ApiException tooLarge(long length, int maxBytes) {
        return ApiException.tooLarge("the request body is " + (length > maxBytes ? "over " : "") + maxBytes
                + " bytes, the limit for this node (a value may be up to --max-value-bytes)");
    }
}
