package io.skua.broker.config;

/**
 * One entry of {@code listeners} / {@code advertised.listeners}: {@code NAME://host:port}.
 *
 * @param listenerName     the listener name ({@code PLAINTEXT}, or a custom name mapped by
 *                         {@code listener.security.protocol.map})
 * @param securityProtocol the listener's security protocol
 * @param host             host to bind or advertise; empty means all interfaces (bind) / this host (advertise)
 * @param port             0..65535; 0 binds an ephemeral port
 */
public record Endpoint(String listenerName, SecurityProtocol securityProtocol, String host, int port) {
    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public Endpoint withPort(int newPort) {
        return new Endpoint(listenerName, securityProtocol, host, newPort);
    }

    public Endpoint withHost(String newHost) {
        return new Endpoint(listenerName, securityProtocol, newHost, port);
    }

    /** Host to bind: an empty host binds every interface. */
    public String bindHost() {
        return host.isEmpty() ? "0.0.0.0" : host;
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return listenerName + "://" + h + ":" + port;
    }
}
