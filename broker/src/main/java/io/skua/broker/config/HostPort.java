package io.skua.broker.config;

/** A {@code host:port} pair of the cluster settings ({@code cluster.bind}, {@code cluster.seeds}). */
public record HostPort(String host, int port) {
    public HostPort {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses {@code host:port} (an IPv6 host in brackets); the port is required and 1..65535. */
    public static HostPort parse(String property, String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw ConfigException.invalid(property, value, "expected host:port");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(property, value, "port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw ConfigException.invalid(property, value, "port must be between 1 and 65535");
        }
        if (host.isBlank()) {
            throw ConfigException.invalid(property, value, "host is empty");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
