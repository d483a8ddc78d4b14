package io.skua.storage;

/** A record's timestamp and offset, as ListOffsets returns them. Immutable. */
public record TimestampOffset(long timestamp, long offset) {
}
