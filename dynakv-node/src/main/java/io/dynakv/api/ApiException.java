package io.dynakv.api;

/**
 * A request the API refuses, with the status, a stable machine-readable code and a message that
 * tells the client what to change. Thrown while parsing and caught once, at the handler's edge.
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false); // a client error, not a bug: no stack trace to fill
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, "payload_too_large", message);
    }
}
