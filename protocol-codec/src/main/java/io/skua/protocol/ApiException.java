package io.skua.protocol;

/** A failure with a Kafka error code, answered to the client in the response's error fields. */
public class ApiException extends RuntimeException {
    private final short errorCode;

    public ApiException(short errorCode, String message) {
        super(message, null, false, false);
        this.errorCode = errorCode;
    }

    public short errorCode() {
        return errorCode;
    }

    /** The Kafka error code for any failure: its own for an ApiException, else UNKNOWN_SERVER_ERROR. */
    public static short codeOf(Throwable t) {
        return t instanceof ApiException e ? e.errorCode() : Errors.UNKNOWN_SERVER_ERROR;
    }
}
