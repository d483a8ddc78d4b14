package io.skua.storage;

/**
 * Why storage refused an operation, carrying the Kafka error code the broker answers with, so the broker maps
 * failures to responses without knowing storage internals. Unchecked: every public storage method may throw it.
 * {@link Error#KAFKA_STORAGE_ERROR} wraps an {@link java.io.IOException}; after one, the partition log refuses
 * further writes until it is reopened.
 */
public class StorageException extends RuntimeException {

    /** The Kafka errors storage can cause, with their protocol codes (Kafka's {@code Errors}). */
    public enum Error {
        OFFSET_OUT_OF_RANGE(1),
        CORRUPT_MESSAGE(2),
        MESSAGE_TOO_LARGE(10),
        RECORD_LIST_TOO_LARGE(18),
        OUT_OF_ORDER_SEQUENCE_NUMBER(45),
        INVALID_PRODUCER_EPOCH(47),
        INVALID_TXN_STATE(48),
        TRANSACTION_COORDINATOR_FENCED(52),
        KAFKA_STORAGE_ERROR(56),
        UNKNOWN_PRODUCER_ID(59),
        INVALID_RECORD(87);

        private final short code;

        Error(int code) {
            this.code = (short) code;
        }

        public short code() {
            return code;
        }
    }

    private final Error error;

    public StorageException(Error error, String message) {
        super(message);
        this.error = error;
    }

    public StorageException(Error error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public Error error() {
        return error;
    }

    /** The Kafka protocol error code. */
    public short errorCode() {
        return error.code();
    }

    public static StorageException io(String what, java.io.IOException e) {
        return new StorageException(Error.KAFKA_STORAGE_ERROR, what + ": " + e, e);
    }
}
