package io.skua.broker.network;

import io.skua.protocol.ProtocolException;

/** A request size prefix that is negative or above {@code socket.request.max.bytes}. Nothing was buffered for it. */
public final class InvalidFrameSizeException extends ProtocolException {
    private final int size;
    private final int maxBytes;

    public InvalidFrameSizeException(int size, int maxBytes) {
        super("invalid request size=" + size + " max=" + maxBytes);
        this.size = size;
        this.maxBytes = maxBytes;
    }

    public int size() {
        return size;
    }

    public int maxBytes() {
        return maxBytes;
    }
}
