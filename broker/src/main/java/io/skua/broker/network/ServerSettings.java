package io.skua.broker.network;

/**
 * Network settings of a {@link KafkaServer}.
 *
 * @param maxRequestBytes                   largest accepted request size prefix ({@code socket.request.max.bytes})
 * @param maxInFlightRequestsPerConnection  reading pauses at this many unanswered requests on one connection
 * @param sendBufferBytes                   SO_SNDBUF, or -1 for the OS default ({@code socket.send.buffer.bytes})
 * @param receiveBufferBytes                SO_RCVBUF, or -1 for the OS default ({@code socket.receive.buffer.bytes})
 * @param instances                         listener verticle instances; connections are spread over them
 * @param zeroCopy                          send file parts with sendfile on plaintext sockets
 */
public record ServerSettings(int maxRequestBytes,
                             int maxInFlightRequestsPerConnection,
                             int sendBufferBytes,
                             int receiveBufferBytes,
                             int instances,
                             boolean zeroCopy) {
    public static final int DEFAULT_MAX_REQUEST_BYTES = 104_857_600;
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    public ServerSettings {
        if (maxRequestBytes < 0 || maxInFlightRequestsPerConnection < 1 || instances < 1) {
            throw new IllegalArgumentException("maxRequestBytes=" + maxRequestBytes + " maxInFlight="
                    + maxInFlightRequestsPerConnection + " instances=" + instances);
        }
    }

    public static ServerSettings defaults() {
        return new ServerSettings(DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_IN_FLIGHT, 102_400, 102_400,
                Runtime.getRuntime().availableProcessors(), true);
    }

    public ServerSettings withMaxRequestBytes(int v) {
        return new ServerSettings(v, maxInFlightRequestsPerConnection, sendBufferBytes, receiveBufferBytes, instances, zeroCopy);
    }

    public ServerSettings withMaxInFlight(int v) {
        return new ServerSettings(maxRequestBytes, v, sendBufferBytes, receiveBufferBytes, instances, zeroCopy);
    }

    public ServerSettings withInstances(int v) {
        return new ServerSettings(maxRequestBytes, maxInFlightRequestsPerConnection, sendBufferBytes, receiveBufferBytes, v, zeroCopy);
    }

    public ServerSettings withZeroCopy(boolean v) {
        return new ServerSettings(maxRequestBytes, maxInFlightRequestsPerConnection, sendBufferBytes, receiveBufferBytes, instances, v);
    }
}
