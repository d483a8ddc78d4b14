package io.skua.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One client socket: frames in, dispatch, responses out in request order.
 *
 * <p>Threading: every field below the "event-loop state" marker is read and written only on the event loop of
 * {@link #context} (the socket's loop). Dispatcher futures may complete anywhere; completion hops back to the loop.
 *
 * <p>Backpressure: reading pauses while {@code pending responses >= maxInFlight} or the socket's write queue is
 * full, and resumes when a response is released or the write queue drains. Frames already read from the socket
 * but not yet dispatched stay in the {@link FrameDecoder} while paused.
 *
 * <p>Responses: the connection writes {@code int32 size} (the sum of the parts) and then every part in order;
 * in-memory parts as buffers, file parts as a sendfile region on plaintext sockets (a positional copy otherwise).
 *
 * <p>Reads: the socket's own pooled direct buffers go to the {@link FrameDecoder} as Netty hands them over (Vert.x's
 * {@code handler(Buffer)} would copy each read onto the heap). A request frame is released when its dispatch
 * completes: the decoded request may refer to the frame's bytes (a Produce request's records) until then, and never
 * after (handlers copy what they keep).
 *
 * <p>Failure: an invalid size prefix or a failed dispatch is logged once and closes the connection. After close,
 * outstanding dispatches still complete but their responses are dropped quietly.
 */
final class Connection implements ConnectionContext {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final String listenerName;
    private final NetSocketInternal socket;
    private final ContextInternal context;
    private final RequestDispatcher dispatcher;
    private final int maxInFlight;
    private final boolean zeroCopy;
    private final SocketAddress remoteAddress;
    private final SocketAddress localAddress;
    private final Consumer<Connection> onClosed;

    /** Written on the event loop, read anywhere through {@link #isOpen()}. */
    private volatile boolean closed;

    // ---- event-loop state: confined to context's event loop; see assertInEventLoop() ----
    private final FrameDecoder decoder;
    private final ResponseOrderer<Response.Frame> orderer;
    /** Whether we asked the socket to stop reading. */
    private boolean paused;
    /** Re-entrancy guard: a dispatch completing synchronously must not recurse into the decode loop. */
    private boolean decoding;
    // ---- end of event-loop state ----

    Connection(String listenerName, NetSocket socket, RequestDispatcher dispatcher, ServerSettings settings,
               Consumer<Connection> onClosed) {
        this.listenerName = listenerName;
        this.socket = (NetSocketInternal) socket;
        this.context = (ContextInternal) io.vertx.core.Vertx.currentContext();
        if (this.context == null) {
            throw new IllegalStateException("a connection must be created on its event loop");
        }
        this.dispatcher = dispatcher;
        this.maxInFlight = settings.maxInFlightRequestsPerConnection();
        this.zeroCopy = settings.zeroCopy() && !socket.isSsl();
        this.remoteAddress = socket.remoteAddress();
        this.localAddress = socket.localAddress();
        this.onClosed = onClosed;
        this.decoder = new FrameDecoder(settings.maxRequestBytes(), this.socket.channelHandlerContext().alloc());
        this.orderer = new ResponseOrderer<>(this::write);
    }

    void start() {
        assertInEventLoop();
        socket.messageHandler(this::onMessage);
        socket.drainHandler(v -> onDrain());
        socket.closeHandler(v -> onSocketClosed());
        socket.exceptionHandler(this::onSocketException);
        LOG.log(Level.DEBUG, () -> "connection opened id=" + id + " listener=" + listenerName + " remote=" + remoteAddress);
    }

    // ---- ConnectionContext ----

    @Override
    public long connectionId() {
        return id;
    }

    @Override
    public String listenerName() {
        return listenerName;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Closes the socket; pending responses are dropped. Safe from any thread. */
    Future<Void> close() {
        onEventLoop(this::closeNow);
        return socket.close();
    }

    // ---- inbound ----

    private void onMessage(Object message) {
        assertInEventLoop();
        if (closed || !(message instanceof ByteBuf chunk)) {
            ReferenceCountUtil.release(message);
            return;
        }
        decoder.offer(chunk);
        readFrames();
    }

    /** Dispatches buffered frames while the in-flight and write limits allow, then pauses or resumes the socket. */
    private void readFrames() {
        assertInEventLoop();
        if (decoding || closed) {
            return; // the outer loop re-checks the limits after each frame
        }
        decoding = true;
        try {
            while (!closed && !mustPause()) {
                if (!decoder.decodeNext(this::dispatch)) {
                    break;
                }
            }
        } catch (InvalidFrameSizeException e) {
            LOG.log(Level.WARNING, "closing connection: invalid request size connection=" + id
                    + " remote=" + remoteAddress + " size=" + e.size() + " max=" + e.maxBytes());
            closeNow();
            return;
        } finally {
            decoding = false;
        }
        updateReading();
    }

    private boolean mustPause() {
        return orderer.pending() >= maxInFlight || socket.writeQueueFull();
    }

    private void updateReading() {
        if (closed) {
            return;
        }
        boolean shouldPause = mustPause();
        if (shouldPause && !paused) {
            paused = true;
            socket.pause();
        } else if (!shouldPause && paused) {
            paused = false;
            socket.resume();
        }
    }

    private void dispatch(ByteBuf frame) {
        Future<Response> result;
        try {
            result = dispatcher.dispatch(this, frame.nioBuffer(frame.readerIndex(), frame.readableBytes()));
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        if (result == null) {
            result = Future.failedFuture(new IllegalStateException("dispatcher returned null"));
        }
        if (result.succeeded() && result.result() == Response.none()) {
            frame.release();
            return; // fire-and-forget: never takes a place in the response order
        }
        ResponseOrderer<Response.Frame>.Slot slot = orderer.register();
        result.onComplete(ar -> onEventLoop(() -> onDispatched(frame, slot, ar)));
    }

    private void onDispatched(ByteBuf request, ResponseOrderer<Response.Frame>.Slot slot, AsyncResult<Response> ar) {
        assertInEventLoop();
        request.release();
        if (closed) {
            return; // the client went away: drop quietly
        }
        if (ar.failed() || ar.result() == null) {
            Throwable cause = ar.failed() ? ar.cause() : new IllegalStateException("dispatcher completed with null");
            LOG.log(Level.WARNING, "closing connection: request dispatch failed connection=" + id + " remote="
                    + remoteAddress + " error=" + cause);
            LOG.log(Level.DEBUG, "dispatch failure connection=" + id, cause);
            closeNow();
            return;
        }
        if (ar.result() instanceof Response.Frame frame) {
            slot.complete(frame);
        } else {
            slot.completeWithoutResponse();
        }
        readFrames();
    }

    private void onDrain() {
        assertInEventLoop();
        readFrames();
    }

    // ---- outbound ----

    /**
     * Called by the orderer, in request order. The size prefix and the in-memory parts go into one pooled direct
     * buffer (a single copy; Netty would otherwise merge a heap composite and copy it again into direct memory);
     * on plaintext sockets each file part is sent between them as a sendfile region.
     */
    private void write(Response.Frame frame) {
        assertInEventLoop();
        if (closed) {
            return;
        }
        List<ResponsePart> parts = frame.parts();
        ByteBuf pending = allocate(parts, 0, Integer.BYTES).writeInt(frame.size());
        try {
            for (int i = 0; i < parts.size(); i++) {
                ResponsePart part = parts.get(i);
                if (part instanceof ResponsePart.Bytes bytes) {
                    pending.writeBytes(bytes.buffer().duplicate());
                } else if (part instanceof ResponsePart.FileRegion file && file.count() > 0) {
                    if (zeroCopy) {
                        send(pending);
                        socket.writeMessage(new BorrowedFileRegion(file.channel(), file.position(), file.count()))
                                .onFailure(this::onWriteFailed);
                        pending = allocate(parts, i + 1, 0);
                    } else {
                        pending.writeBytes(readFully(file));
                    }
                }
            }
        } catch (IOException e) {
            pending.release();
            LOG.log(Level.WARNING, "closing connection: reading response file failed connection=" + id
                    + " remote=" + remoteAddress + " error=" + e);
            closeNow();
            return;
        }
        send(pending);
    }

    /** A buffer for {@code extra} bytes plus the in-memory parts from {@code from} up to the next sendfile part. */
    private ByteBuf allocate(List<ResponsePart> parts, int from, int extra) {
        long bytes = extra;
        for (int i = from; i < parts.size(); i++) {
            ResponsePart part = parts.get(i);
            if (part instanceof ResponsePart.Bytes b) {
                bytes += b.buffer().remaining();
            } else if (part instanceof ResponsePart.FileRegion file && file.count() > 0) {
                if (zeroCopy) {
                    break;
                }
                bytes += file.count();
            }
        }
        return socket.channelHandlerContext().alloc().directBuffer(Math.toIntExact(bytes));
    }

    /** Writes the bytes gathered (the transport releases them), or releases an empty buffer. */
    private void send(ByteBuf pending) {
        if (pending.isReadable()) {
            socket.writeMessage(pending).onFailure(this::onWriteFailed);
        } else {
            pending.release();
        }
    }

    /** Copy path for sockets that cannot send files (TLS) or when zero-copy is disabled. */
    private static ByteBuffer readFully(ResponsePart.FileRegion file) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(Math.toIntExact(file.count()));
        FileChannel channel = file.channel();
        long position = file.position();
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                throw new EOFException("file region beyond end of file: position=" + file.position()
                        + " count=" + file.count());
            }
            position += n;
        }
        return dst.flip();
    }

    private void onWriteFailed(Throwable t) {
        // The socket is closing or closed; its close handler does the bookkeeping.
        LOG.log(Level.DEBUG, () -> "write failed connection=" + id + " remote=" + remoteAddress + " error=" + t);
    }

    // ---- lifecycle ----

    private void closeNow() {
        assertInEventLoop();
        if (closed) {
            return;
        }
        closed = true;
        orderer.close();
        decoder.fail();
        socket.close();
    }

    private void onSocketClosed() {
        assertInEventLoop();
        closed = true;
        orderer.close();
        decoder.fail();
        LOG.log(Level.DEBUG, () -> "connection closed id=" + id + " remote=" + remoteAddress);
        onClosed.accept(this);
    }

    private void onSocketException(Throwable t) {
        // Resets and broken pipes are routine when clients vanish; the close handler follows.
        LOG.log(Level.DEBUG, () -> "socket error connection=" + id + " remote=" + remoteAddress + " error=" + t);
    }

    private void onEventLoop(Runnable action) {
        if (context.nettyEventLoop().inEventLoop()) {
            action.run();
        } else {
            context.execute(action);
        }
    }

    private void assertInEventLoop() {
        assert context.nettyEventLoop().inEventLoop() : "connection " + id + " touched off its event loop";
    }
}
