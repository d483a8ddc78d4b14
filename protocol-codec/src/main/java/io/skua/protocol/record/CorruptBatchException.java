package io.skua.protocol.record;

/**
 * Record batch bytes that cannot be what they claim: a CRC mismatch, an impossible length, a malformed record.
 * Kafka answers these with {@code CORRUPT_MESSAGE}; storage recovery truncates the log where it meets one.
 */
public class CorruptBatchException extends RuntimeException {
    public CorruptBatchException(String message) {
        super(message);
    }
}
