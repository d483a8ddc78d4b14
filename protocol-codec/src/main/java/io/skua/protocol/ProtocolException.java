package io.skua.protocol;

/** Malformed or out-of-bounds protocol data. The connection that sent it is closed. */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
