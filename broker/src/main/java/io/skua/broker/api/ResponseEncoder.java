package io.skua.broker.api;

import io.skua.storage.FetchSlice;
import io.skua.broker.network.Response;
import io.skua.broker.network.ResponsePart;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.ByteBufferWriter;
import io.skua.protocol.Records;
import io.skua.protocol.Uuid;
import io.skua.protocol.Writable;
import io.skua.protocol.message.FetchResponseData;
import io.skua.protocol.message.ResponseHeaderData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a response header and body into response parts. Record data that lives in segment files
 * ({@link FetchSlice}) becomes a file region of its own, so it is sent with sendfile and never copied into
 * the heap; everything else, including small tail reads already copied from memory ({@link FetchSlice#inMemory}),
 * goes into one heap buffer of exactly the right size.
 */
public final class ResponseEncoder {
    private ResponseEncoder() {}

    public static Response encode(int correlationId, short headerVersion, ApiMessage body, short version) {
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        int total = header.size(headerVersion) + body.size(version);
        long fileBytes = body instanceof FetchResponseData fetch ? fileBytes(fetch) : 0;
        ByteBuffer heap = ByteBuffer.allocate(Math.toIntExact(total - fileBytes));
        PartsWriter writer = new PartsWriter(heap);
        header.write(writer, headerVersion);
        body.write(writer, version);
        return Response.of(writer.finish());
    }

    private static long fileBytes(FetchResponseData fetch) {
        long n = 0;
        for (var topic : fetch.responses()) {
            for (var partition : topic.partitions()) {
                if (partition.records() instanceof FetchSlice f && !f.inMemory()) {
                    n += f.sizeInBytes();
                }
            }
        }
        return n;
    }

    /** Writes primitives into the heap buffer and cuts it around file-backed records. */
    private static final class PartsWriter implements Writable {
        private final ByteBuffer heap;
        private final ByteBufferWriter out;
        private final List<ResponsePart> parts = new ArrayList<>(3);
        private int cut;

        PartsWriter(ByteBuffer heap) {
            this.heap = heap;
            this.out = new ByteBufferWriter(heap);
        }

        List<ResponsePart> finish() {
            if (heap.hasRemaining()) {
                throw new IllegalStateException("response encoded " + heap.position() + " heap bytes of " + heap.capacity());
            }
            cutHere();
            return parts;
        }

        private void cutHere() {
            if (heap.position() > cut) {
                parts.add(new ResponsePart.Bytes(heap.slice(cut, heap.position() - cut)));
                cut = heap.position();
            }
        }

        @Override
        public void writeRecords(Records records) {
            if (records instanceof FetchSlice f && !f.inMemory()) {
                if (f.isEmpty()) {
                    return;
                }
                cutHere();
                parts.add(new ResponsePart.FileRegion(f.channel(), f.position(), f.sizeInBytes()));
            } else {
                out.writeRecords(records);
            }
        }

        @Override
        public void writeByte(byte v) {
            out.writeByte(v);
        }

        @Override
        public void writeShort(short v) {
            out.writeShort(v);
        }

        @Override
        public void writeInt(int v) {
            out.writeInt(v);
        }

        @Override
        public void writeLong(long v) {
            out.writeLong(v);
        }

        @Override
        public void writeDouble(double v) {
            out.writeDouble(v);
        }

        @Override
        public void writeUnsignedVarint(int v) {
            out.writeUnsignedVarint(v);
        }

        @Override
        public void writeVarint(int v) {
            out.writeVarint(v);
        }

        @Override
        public void writeVarlong(long v) {
            out.writeVarlong(v);
        }

        @Override
        public void writeUuid(Uuid v) {
            out.writeUuid(v);
        }

        @Override
        public void writeByteArray(byte[] v) {
            out.writeByteArray(v);
        }

        @Override
        public void writeByteBuffer(ByteBuffer v) {
            out.writeByteBuffer(v);
        }
    }
}
