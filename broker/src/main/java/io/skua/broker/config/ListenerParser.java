package io.skua.broker.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code listeners}, {@code advertised.listeners} and {@code listener.security.protocol.map}. */
final class ListenerParser {
    /** NAME://host:port with host empty, a name, an IPv4 address or a bracketed IPv6 address. */
    private static final Pattern LISTENER = Pattern.compile("^([A-Za-z0-9_]+)://(\\[[0-9a-fA-F:.%a-zA-Z]+]|[^:\\[\\]/]*):(-?\\d+)$");

    private ListenerParser() {
    }

    static Map<String, SecurityProtocol> parseProtocolMap(String name, String value) {
        Map<String, SecurityProtocol> map = new HashMap<>();
        for (String entry : splitList(value)) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw ConfigException.invalid(name, value, "entries must be LISTENER_NAME:SECURITY_PROTOCOL");
            }
            String listener = entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String protocol = entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            try {
                map.put(listener, SecurityProtocol.valueOf(protocol));
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid(name, value, "unknown security protocol " + protocol);
            }
        }
        return map;
    }

    static List<Endpoint> parse(String name, String value, Map<String, SecurityProtocol> protocols) {
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (String entry : splitList(value)) {
            Matcher m = LISTENER.matcher(entry);
            if (!m.matches()) {
                throw ConfigException.invalid(name, value, "listener '" + entry + "' is not of the form NAME://host:port");
            }
            String listenerName = m.group(1).toUpperCase(Locale.ROOT);
            String host = m.group(2);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw ConfigException.invalid(name, value, "port out of range in '" + entry + "' (0..65535)");
            }
            SecurityProtocol protocol = protocols.get(listenerName);
            if (protocol == null) {
                throw ConfigException.invalid(name, value, "listener name " + listenerName
                        + " has no security protocol in listener.security.protocol.map");
            }
            if (protocol != SecurityProtocol.PLAINTEXT) {
                throw ConfigException.invalid(name, value, "security protocol " + protocol + " of listener "
                        + listenerName + " is not supported yet (only PLAINTEXT)");
            }
            if (!names.add(listenerName)) {
                throw ConfigException.invalid(name, value, "listener name " + listenerName + " appears twice");
            }
            if (port != 0 && !ports.add(port)) {
                throw ConfigException.invalid(name, value, "port " + port + " appears twice");
            }
            endpoints.add(new Endpoint(listenerName, protocol, host, port));
        }
        if (endpoints.isEmpty()) {
            throw ConfigException.invalid(name, value, "at least one listener is required");
        }
        return List.copyOf(endpoints);
    }

    /**
     * advertised.listeners when given (no wildcard host, every name a listener), else the listeners with a wildcard
     * host replaced by this machine's name.
     */
    static List<Endpoint> parseAdvertised(String value, List<Endpoint> listeners,
                                          Map<String, SecurityProtocol> protocols) {
        return value == null
                ? defaultAdvertised(listeners)
                : validateAdvertised(parse(BrokerConfig.ADVERTISED_LISTENERS, value, protocols), listeners, value);
    }

    private static List<Endpoint> defaultAdvertised(List<Endpoint> listeners) {
        List<Endpoint> advertised = new ArrayList<>();
        for (Endpoint e : listeners) {
            advertised.add(isWildcard(e.host()) ? e.withHost(localHostName()) : e);
        }
        return List.copyOf(advertised);
    }

    private static List<Endpoint> validateAdvertised(List<Endpoint> advertised, List<Endpoint> listeners, String raw) {
        for (Endpoint a : advertised) {
            if (isWildcard(a.host())) {
                throw ConfigException.invalid(BrokerConfig.ADVERTISED_LISTENERS, raw, "cannot advertise the wildcard address of " + a);
            }
            if (listeners.stream().noneMatch(l -> l.listenerName().equals(a.listenerName()))) {
                throw ConfigException.invalid(BrokerConfig.ADVERTISED_LISTENERS, raw, "listener " + a.listenerName() + " is not in listeners");
            }
        }
        return advertised;
    }

    private static boolean isWildcard(String host) {
        return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static List<String> splitList(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            String trimmed = item.trim();
            if (!trimmed.isEmpty()) {
                items.add(trimmed);
            }
        }
        return items;
    }
}
