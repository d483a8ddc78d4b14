package io.skua.storage;

/** Who is appending, which decides what {@link PartitionLog#append} validates and rewrites. */
public enum AppendOrigin {
    /**
     * A producer (or the broker's own coordinators): offsets are assigned, the leader epoch is stamped,
     * {@code LogAppendTime} is applied and idempotent-producer sequences are checked.
     */
    CLIENT,
    /** A follower copying the leader: batches keep their offsets, epochs and timestamps; only framing and CRC are checked. */
    REPLICATION
}
