package io.skua.storage.segment;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The last bytes appended to a segment, in a ring in memory, so that a consumer following the tail gets them with one
 * copy instead of a file read or a sendfile of a few hundred bytes (three system calls per fetch response).
 *
 * <p>One writer (the partition's writer thread) and any number of readers on any thread, without locks: a sequence
 * number is odd while the writer changes the ring and moves on by two for every change. A reader copies what it wants
 * and keeps the copy only if the number was even and unchanged over the copy; otherwise it reads the file instead.
 * The window of a collision is one memory copy of a batch, so readers almost never fall back.
 */
public final class TailBytes {
    /** Ring size: responses up to this size are copied; larger ones are worth a sendfile. */
    public static final int CAPACITY = 16 * 1024;
    private static final int MASK = CAPACITY - 1;
    private static final VarHandle SEQUENCE;

    static {
        try {
            SEQUENCE = MethodHandles.lookup().findVarHandle(TailBytes.class, "sequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] ring = new byte[CAPACITY];
    @SuppressWarnings("unused") // through SEQUENCE
    private volatile long sequence;
    /** The segment positions the ring holds are {@code [max(from, end - CAPACITY), end)}. Changed under the sequence. */
    private int from;
    private int end;

    /** An empty ring whose next bytes are those at segment position {@code position}. */
    TailBytes(int position) {
        this.from = position;
        this.end = position;
    }

    /** Writer: {@code src}'s remaining bytes are the segment's bytes from {@link #end()} on. */
    void append(ByteBuffer src) {
        long s = beginChange();
        int n = src.remaining();
        int skip = Math.max(0, n - CAPACITY);
        int at = end + skip;
        int p = src.position() + skip;
        int left = n - skip;
        while (left > 0) {
            int chunk = Math.min(left, CAPACITY - (at & MASK));
            src.get(p, ring, at & MASK, chunk);
            at += chunk;
            p += chunk;
            left -= chunk;
        }
        end += n;
        endChange(s);
    }

    /** Writer: forgets everything; the next bytes appended are those at {@code position} (after a truncation). */
    void reset(int position) {
        long s = beginChange();
        from = position;
        end = position;
        endChange(s);
    }

    /** Writer only: the segment position after the last byte appended. */
    int end() {
        return end;
    }

    /** Reader: a stamp to pass to {@link #copy}, taken before reading anything the copy depends on; -1 if changing. */
    long stamp() {
        long s = (long) SEQUENCE.getAcquire(this);
        return (s & 1) != 0 ? -1 : s;
    }

    /**
     * Reader: the bytes at segment positions {@code [position, limit)} in a new buffer, or null when the ring does not
     * hold all of them, or the writer changed it since {@code stamp} was taken (see {@link #stamp}).
     */
    ByteBuffer copy(long stamp, int position, int limit) {
        if (stamp < 0) {
            return null;
        }
        int lo = Math.max(from, end - CAPACITY);
        int hi = end;
        if (position < lo || limit > hi || position > limit) {
            return null;
        }
        byte[] out = new byte[limit - position];
        int at = position;
        int o = 0;
        while (o < out.length) {
            int chunk = Math.min(out.length - o, CAPACITY - (at & MASK));
            System.arraycopy(ring, at & MASK, out, o, chunk);
            at += chunk;
            o += chunk;
        }
        VarHandle.loadLoadFence();
        return (long) SEQUENCE.getOpaque(this) == stamp ? ByteBuffer.wrap(out) : null;
    }

    private long beginChange() {
        long s = (long) SEQUENCE.getOpaque(this);
        SEQUENCE.setOpaque(this, s + 1);
        VarHandle.storeStoreFence();
        return s;
    }

    private void endChange(long s) {
        SEQUENCE.setRelease(this, s + 2);
    }
}
