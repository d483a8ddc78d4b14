package io.skua.broker.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A blocking Kafka-framing client over a plain java.net.Socket, for tests. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawClient(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        // longer than the 15 s a clustered broker may take to answer an admin request while a merge settles (its
        // metadata writes are bounded there): the broker's answer, not the client's patience, decides the outcome
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    public static byte[] frame(String payload) {
        return frame(payload.getBytes(StandardCharsets.UTF_8));
    }

    public void send(String payload) throws IOException {
        writeRaw(frame(payload));
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public byte[] readFrame() throws IOException {
        int size = in.readInt();
        byte[] payload = new byte[size];
        in.readFully(payload);
        return payload;
    }

    public String readString() throws IOException {
        return new String(readFrame(), StandardCharsets.UTF_8);
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    public boolean awaitClosedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
