package io.skua.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.skua.broker.network.FrameDecoder;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link FrameDecoder} on socket reads holding several length-prefixed frames ({@code frames} frames of
 * {@code frameBytes} bytes each, pipelined requests from one client), per read:
 *
 * <ul>
 *   <li>{@code wholeFrames}: one chunk holds all the frames; every frame is handed out as a view of the chunk
 *       (no copy).</li>
 *   <li>{@code splitFrames}: the same bytes arrive as two chunks cut in the middle of a frame, so one frame per
 *       read takes the copying path (a pooled direct buffer of its size, filled from both chunks).</li>
 * </ul>
 *
 * The decoder only reads the chunks, so the same bytes are offered again each time (as retained duplicates, which
 * the decoder releases like the socket's own buffers); the sink releases every frame, as the connection does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameDecoderBenchmark {
    @Param({"8"})
    public int frames;

    @Param({"100", "1024"})
    public int frameBytes;

    private ByteBuf whole;
    private ByteBuf firstHalf;
    private ByteBuf secondHalf;
    private FrameDecoder decoder;

    @Setup(Level.Trial)
    public void setup() {
        ByteBuffer bytes = ByteBuffer.allocate(frames * (4 + frameBytes));
        for (int f = 0; f < frames; f++) {
            bytes.putInt(frameBytes);
            for (int i = 0; i < frameBytes; i++) {
                bytes.put((byte) (f + i));
            }
        }
        byte[] all = bytes.array();
        whole = Unpooled.directBuffer(all.length).writeBytes(all);
        // Cut in the middle of the middle frame's body.
        int cut = (frames / 2) * (4 + frameBytes) + 4 + frameBytes / 2;
        firstHalf = Unpooled.directBuffer(cut).writeBytes(all, 0, cut);
        secondHalf = Unpooled.directBuffer(all.length - cut).writeBytes(all, cut, all.length - cut);
        decoder = new FrameDecoder(100 << 20, PooledByteBufAllocator.DEFAULT);
        int[] count = new int[1];
        Consumer<ByteBuf> counting = frame -> {
            count[0]++;
            frame.release();
        };
        decoder.offer(whole.retainedDuplicate());
        while (decoder.decodeNext(counting)) {
            // drain
        }
        decoder.offer(firstHalf.retainedDuplicate());
        decoder.offer(secondHalf.retainedDuplicate());
        while (decoder.decodeNext(counting)) {
            // drain
        }
        if (count[0] != 2 * frames || decoder.bufferedBytes() != 0 || decoder.hasPartialFrame()) {
            throw new IllegalStateException("decoded " + count[0] + " frames of " + 2 * frames);
        }
    }

    @Benchmark
    public void wholeFrames(Blackhole bh) {
        Consumer<ByteBuf> sink = frame -> {
            bh.consume(frame.nioBuffer());
            frame.release();
        };
        decoder.offer(whole.retainedDuplicate());
        int n = 0;
        while (decoder.decodeNext(sink)) {
            n++;
        }
        bh.consume(n);
    }

    @Benchmark
    public void splitFrames(Blackhole bh) {
        Consumer<ByteBuf> sink = frame -> {
            bh.consume(frame.nioBuffer());
            frame.release();
        };
        decoder.offer(firstHalf.retainedDuplicate());
        int n = 0;
        while (decoder.decodeNext(sink)) {
            n++;
        }
        decoder.offer(secondHalf.retainedDuplicate());
        while (decoder.decodeNext(sink)) {
            n++;
        }
        bh.consume(n);
    }
}
