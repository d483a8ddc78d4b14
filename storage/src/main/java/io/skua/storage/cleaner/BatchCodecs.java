package io.skua.storage.cleaner;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.skua.protocol.record.CompressionType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.xerial.snappy.SnappyInputStream;
import org.xerial.snappy.SnappyOutputStream;

/**
 * The record-payload codecs of Kafka's v2 batches, as kafka-clients writes them: gzip (JDK), snappy in
 * snappy-java's stream framing, LZ4 in the standard frame format (64 KiB independent blocks, as Kafka writes), and
 * zstd frames. Used only by the cleaner, which must decode records to compact them.
 *
 * <p>Decompression is bounded: a payload that inflates beyond the caller's limit fails with
 * {@link TooLargeException} before more than the limit is buffered (a "zip bomb" cannot exhaust the heap).
 *
 * <p>Thread-safety: stateless.
 */
final class BatchCodecs {
    private static final int CHUNK = 16 * 1024;

    /** The decompressed payload would exceed the caller's limit. */
    static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    private BatchCodecs() {
    }

    /**
     * Inflates {@code length} bytes of {@code src} from {@code offset}.
     *
     * @return the decompressed bytes
     * @throws TooLargeException if more than {@code maxBytes} come out
     * @throws IOException       if the payload is not valid for its codec
     */
    static Inflated decompress(CompressionType type, byte[] src, int offset, int length, int maxBytes)
            throws IOException {
        if (type == CompressionType.NONE) {
            if (length > maxBytes) {
                throw new TooLargeException("Payload of " + length + " bytes exceeds " + maxBytes);
            }
            return new Inflated(Arrays.copyOfRange(src, offset, offset + length), length);
        }
        try (InputStream in = inflater(type, new ByteArrayInputStream(src, offset, length))) {
            byte[] out = new byte[Math.min(maxBytes, Math.max(CHUNK, length * 4))];
            int size = 0;
            while (true) {
                if (size == out.length) {
                    if (size >= maxBytes) {
                        if (in.read() < 0) {
                            break;
                        }
                        throw new TooLargeException(type + " payload inflates beyond " + maxBytes + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(maxBytes, 2L * out.length));
                }
                int n = in.read(out, size, out.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
            }
            return new Inflated(out, size);
        } catch (TooLargeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // codec libraries signal malformed input with assorted runtime exceptions
            throw new IOException("Malformed " + type + " payload: " + e, e);
        }
    }

    /** Compresses {@code length} bytes of {@code src} with {@code type}; NONE returns a copy. */
    static byte[] compress(CompressionType type, byte[] src, int offset, int length) throws IOException {
        if (type == CompressionType.NONE) {
            return Arrays.copyOfRange(src, offset, offset + length);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, length / 2));
        try (OutputStream out = deflater(type, bytes)) {
            out.write(src, offset, length);
        }
        return bytes.toByteArray();
    }

    /** Bytes {@code [0, length)} of {@code bytes} are the payload. */
    record Inflated(byte[] bytes, int length) {
    }

    private static InputStream inflater(CompressionType type, InputStream in) throws IOException {
        return switch (type) {
            case GZIP -> new GZIPInputStream(in, 8 * 1024);
            case SNAPPY -> new SnappyInputStream(in);
            case LZ4 -> new LZ4FrameInputStream(in);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            case NONE -> in;
        };
    }

    private static OutputStream deflater(CompressionType type, OutputStream out) throws IOException {
        return switch (type) {
            case GZIP -> new GZIPOutputStream(out, 8 * 1024);
            case SNAPPY -> new SnappyOutputStream(out);
            case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                    LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
            case ZSTD -> new ZstdOutputStreamNoFinalizer(out);
            case NONE -> out;
        };
    }
}
