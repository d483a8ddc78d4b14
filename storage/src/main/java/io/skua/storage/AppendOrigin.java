package io.skua.storage;

/** Who is appending, which decides what {@link io.skua.storage.log.PartitionLog#append} validates and rewrites. */
public enum AppendOrigin {
    /**
     * A producer: offsets are assigned, the leader epoch is stamped, {@code LogAppendTime} is applied, idempotent
     * sequences are checked and duplicates detected. Control batches are refused ({@code INVALID_RECORD}).
     */
    CLIENT,
    /**
     * The broker's own coordinators (group offsets, transaction markers): like {@link #CLIENT}, but control batches
     * are allowed and sequences are not checked (producer epochs still are, and a marker's coordinator epoch).
     * {@link io.skua.storage.log.PartitionLog#appendControlMarker} appends markers this way.
     */
    COORDINATOR,
    /** A follower copying the leader: batches keep their offsets, epochs and timestamps; only framing and CRC are checked. */
    REPLICATION
}
