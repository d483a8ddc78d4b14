package io.skua.broker;

import io.skua.protocol.ByteBufferReader;
import io.skua.protocol.ByteBufferWriter;
import io.skua.protocol.message.ApiVersionsRequestData;
import io.skua.protocol.message.ApiVersionsResponseData;
import io.skua.protocol.message.RequestHeaderData;
import io.skua.protocol.message.ResponseHeaderData;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * {@code java -cp skua.jar io.skua.broker.HealthCheck [host [port]]}: the container health check. Sends one
 * ApiVersions v3 request and exits 0 when the broker answers it without error, 1 otherwise (with the reason on
 * stderr). Blocking socket I/O on purpose: this is a short-lived command, not part of the broker.
 */
public final class HealthCheck {
    private static final int TIMEOUT_MS = 5_000;
    /** A healthy ApiVersions response is a few hundred bytes; anything near this is not a Kafka broker. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final short API_VERSIONS_VERSION = 3;
    private static final int CORRELATION_ID = 0x5ca1ab1e;

    private HealthCheck() {
    }

    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 9092;
        try {
            ApiVersionsResponseData response = apiVersions(host, port);
            System.out.println("ok " + host + ":" + port + " apis=" + response.apiKeys().size());
            System.exit(0);
        } catch (IOException | RuntimeException e) {
            System.err.println("unhealthy " + host + ":" + port + ": " + e);
            System.exit(1);
        }
    }

    /** One ApiVersions round trip; throws when the broker is unreachable, slow, or answers with an error. */
    static ApiVersionsResponseData apiVersions(String host, int port) throws IOException {
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiVersionsRequestData.API_KEY)
                .setRequestApiVersion(API_VERSIONS_VERSION)
                .setCorrelationId(CORRELATION_ID)
                .setClientId("skua-healthcheck");
        ApiVersionsRequestData body = new ApiVersionsRequestData()
                .setClientSoftwareName("skua-healthcheck")
                .setClientSoftwareVersion("1");
        // ApiVersions v3+ is flexible: request header v2. Its response header is always v0 (KIP-511).
        ByteBuffer headerBytes = ByteBufferWriter.serialize(header, (short) 2);
        ByteBuffer bodyBytes = ByteBufferWriter.serialize(body, API_VERSIONS_VERSION);
        ByteBuffer frame = ByteBuffer.allocate(4 + headerBytes.remaining() + bodyBytes.remaining());
        frame.putInt(headerBytes.remaining() + bodyBytes.remaining()).put(headerBytes).put(bodyBytes).flip();

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(frame.array(), 0, frame.limit());
            out.flush();

            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size < 4 || size > MAX_RESPONSE_BYTES) {
                throw new IOException("response size " + size + " outside [4, " + MAX_RESPONSE_BYTES + "]");
            }
            byte[] payload = new byte[size];
            in.readFully(payload);
            ByteBufferReader reader = new ByteBufferReader(ByteBuffer.wrap(payload));
            ResponseHeaderData responseHeader = new ResponseHeaderData(reader, (short) 0);
            if (responseHeader.correlationId() != CORRELATION_ID) {
                throw new IOException("correlation id " + responseHeader.correlationId() + ", expected " + CORRELATION_ID);
            }
            ApiVersionsResponseData response = new ApiVersionsResponseData(reader, API_VERSIONS_VERSION);
            if (reader.buffer().hasRemaining()) {
                throw new IOException(reader.buffer().remaining() + " unread bytes after the ApiVersions response");
            }
            if (response.errorCode() != 0) {
                throw new IOException("ApiVersions error code " + response.errorCode());
            }
            return response;
        }
    }
}
