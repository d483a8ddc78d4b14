package io.skua.compat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** One plain socket to the broker: kafka-clients' request classes for the bytes, no client logic in between. */
final class RawKafka implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    RawKafka(EmbeddedSkua skua) throws IOException {
        this(new Socket("127.0.0.1", skua.port()));
    }

    /** Talks over an open socket (closing this closes the socket). */
    RawKafka(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /** One request on an open socket that stays open, with the given correlation id. */
    static AbstractResponse roundTrip(Socket socket, AbstractRequest request, int correlationId) throws IOException {
        RawKafka raw = new RawKafka(socket);
        raw.correlationId = correlationId - 1;
        return raw.send(request);
    }

    /** Sends {@code request} at its version and parses the answer. */
    @SuppressWarnings("unchecked")
    <R extends AbstractResponse> R send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw", ++correlationId);
        ByteBuffer body = request.serializeWithHeader(header);
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(sendFrame(bytes)), header);
    }

    /** Writes one length-prefixed frame and returns the answer's frame (without its length). */
    byte[] sendFrame(byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        return answer;
    }

    /** Writes one frame and expects the broker to close the connection without answering. */
    boolean closedAfter(byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
