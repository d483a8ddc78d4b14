package io.skua.broker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The given properties parsed and checked: every known property against its definition ({@link KnownProperties}),
 * then the values that span several properties (listeners and advertised listeners, the data directories, the
 * session timeout bounds, cluster membership). Every problem is collected and {@link #parse} reports them together in
 * one {@link ConfigException}, so a user fixes a file in one pass.
 *
 * @param values      every known property by name, typed; null when unset without a default
 * @param clusterBind null when not clustered
 * @param unknown     names given that no part of Skua or Kafka knows
 * @param inapplicable Kafka property names given that have no meaning in Skua (yet)
 */
record ParsedConfig(Map<String, Object> values, List<Endpoint> listeners, List<Endpoint> advertisedListeners,
                    List<Path> logDirs, HostPort clusterBind, List<HostPort> clusterSeeds, Set<String> unknown,
                    Set<String> inapplicable) {

    static ParsedConfig parse(Map<String, String> originals) {
        List<String> errors = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> unknownNames = new TreeSet<>();
        Set<String> inapplicableNames = new TreeSet<>();
        for (Map.Entry<String, String> e : originals.entrySet()) {
            // min.insync.replicas is read as it was given (minInsyncReplicas), not modelled
            if (!KnownProperties.ALL.containsKey(e.getKey()) && !e.getKey().equals(BrokerConfig.MIN_INSYNC_REPLICAS)) {
                (KnownProperties.INAPPLICABLE.contains(e.getKey()) ? inapplicableNames : unknownNames).add(e.getKey());
            }
        }
        for (Property<?> p : KnownProperties.ALL.values()) {
            String raw = originals.get(p.name());
            try {
                values.put(p.name(), raw == null ? p.defaultValue() : p.parse(raw));
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            }
        }

        List<Endpoint> listeners = List.of();
        List<Endpoint> advertised = List.of();
        try {
            Map<String, SecurityProtocol> protocols = ListenerParser.parseProtocolMap(
                    BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP,
                    (String) values.get(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP));
            listeners = ListenerParser.parse(BrokerConfig.LISTENERS, (String) values.get(BrokerConfig.LISTENERS),
                    protocols);
            advertised = ListenerParser.parseAdvertised(
                    (String) values.get(BrokerConfig.ADVERTISED_LISTENERS), listeners, protocols);
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        List<Path> logDirs = logDirs(values, errors);
        checkSessionTimeouts(values, errors);

        HostPort bind = null;
        List<HostPort> seeds = List.of();
        String rawBind = (String) values.get(BrokerConfig.CLUSTER_BIND);
        String rawSeeds = (String) values.get(BrokerConfig.CLUSTER_SEEDS);
        try {
            if (rawBind != null) {
                bind = HostPort.parse(BrokerConfig.CLUSTER_BIND, rawBind);
                List<HostPort> parsedSeeds = new ArrayList<>();
                for (String seed : ListenerParser.splitList(rawSeeds == null ? "" : rawSeeds)) {
                    parsedSeeds.add(HostPort.parse(BrokerConfig.CLUSTER_SEEDS, seed));
                }
                seeds = List.copyOf(parsedSeeds);
            } else if (rawSeeds != null) {
                throw ConfigException.invalid(BrokerConfig.CLUSTER_SEEDS, rawSeeds,
                        BrokerConfig.CLUSTER_BIND + " is required to run clustered");
            }
            String name = (String) values.get(BrokerConfig.CLUSTER_NAME);
            if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
                throw ConfigException.invalid(BrokerConfig.CLUSTER_NAME, name, "letters, digits, '.', '_' and '-' only");
            }
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }

        if (!errors.isEmpty()) {
            throw new ConfigException(String.join("; ", errors));
        }
        return new ParsedConfig(values, listeners, advertised, logDirs, bind, seeds,
                Collections.unmodifiableSet(unknownNames), Collections.unmodifiableSet(inapplicableNames));
    }

    /** log.dirs, else log.dir: absolute and normalized, at least one. */
    private static List<Path> logDirs(Map<String, Object> values, List<String> errors) {
        String dirs = values.get(BrokerConfig.LOG_DIRS) != null
                ? (String) values.get(BrokerConfig.LOG_DIRS) : (String) values.get(BrokerConfig.LOG_DIR);
        List<Path> parsedDirs = new ArrayList<>();
        for (String dir : ListenerParser.splitList(dirs == null ? "" : dirs)) {
            try {
                parsedDirs.add(Path.of(dir).toAbsolutePath().normalize());
            } catch (RuntimeException e) {
                errors.add("Invalid value " + dirs + " for configuration " + BrokerConfig.LOG_DIRS + ": "
                        + e.getMessage());
            }
        }
        if (parsedDirs.isEmpty() && errors.isEmpty()) {
            errors.add("Invalid value '" + dirs + "' for configuration " + BrokerConfig.LOG_DIRS
                    + ": at least one directory is required");
        }
        return List.copyOf(parsedDirs);
    }

    private static void checkSessionTimeouts(Map<String, Object> values, List<String> errors) {
        Integer minSession = (Integer) values.get(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS);
        Integer maxSession = (Integer) values.get(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS);
        if (minSession != null && maxSession != null && minSession > maxSession) {
            errors.add("Invalid value " + maxSession + " for configuration " + BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS
                    + ": must be at least " + BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS + " (" + minSession + ")");
        }
    }
}
