package io.skua.broker.network;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Keeps responses on one connection in request order.
 *
 * <p>Each request takes a {@link Slot} when it is dispatched. Handlers complete slots in any order; a completed slot
 * is released to the writer only once every earlier slot has been released. A slot completed
 * {@linkplain Slot#completeWithoutResponse() without a response} ({@code acks=0}) is skipped: nothing is written, and
 * the slots behind it move on. A request known up front to expect no response should not take a slot at all.
 *
 * <p>{@link #pending()} counts slots not yet released (in flight or waiting behind an earlier one): it is what the
 * connection compares with its in-flight limit, and it bounds the memory held by finished-but-unsent responses.
 *
 * <p>Not thread-safe: confined to the connection's event loop. Completing a slot twice is an error.
 *
 * @param <R> the response type
 */
public final class ResponseOrderer<R> {
    private final Consumer<R> writer;
    private final ArrayDeque<Slot> queue = new ArrayDeque<>();
    private long nextSequence;
    private boolean closed;

    /** @param writer called, in request order, with each response to write */
    public ResponseOrderer(Consumer<R> writer) {
        this.writer = writer;
    }

    /** Reserves the next position in the response order. */
    public Slot register() {
        Slot slot = new Slot(nextSequence++);
        if (!closed) {
            queue.addLast(slot);
        }
        return slot;
    }

    /** Slots registered and not yet released to the writer. */
    public int pending() {
        return queue.size();
    }

    /** Drops every pending slot: later completions are ignored (the connection has gone). */
    public void close() {
        closed = true;
        queue.clear();
    }

    public boolean isClosed() {
        return closed;
    }

    private void release() {
        Slot head;
        while (!closed && (head = queue.peekFirst()) != null && head.state != State.WAITING) {
            queue.removeFirst();
            if (head.state == State.RESPONDED) {
                R response = head.response;
                head.response = null;
                writer.accept(response);
            }
        }
    }

    private enum State { WAITING, RESPONDED, NO_RESPONSE }

    /** One request's place in the response order. */
    public final class Slot {
        private final long sequence;
        private State state = State.WAITING;
        private R response;

        private Slot(long sequence) {
            this.sequence = sequence;
        }

        /** Position of the request on its connection, from 0. */
        public long sequence() {
            return sequence;
        }

        public void complete(R response) {
            transition(State.RESPONDED);
            this.response = response;
            release();
        }

        public void completeWithoutResponse() {
            transition(State.NO_RESPONSE);
            release();
        }

        private void transition(State to) {
            if (state != State.WAITING) {
                throw new IllegalStateException("slot " + sequence + " completed twice");
            }
            state = to;
        }
    }
}
