package io.skua.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Broker configuration under Kafka's property names, from a server.properties-style file plus overrides.
 *
 * <p>Every known property is parsed and range-checked when the config is built; all problems are reported together
 * in one {@link ConfigException} naming each property and value. Unknown properties are kept (see
 * {@link #unknownProperties()}) and ignored, as Kafka does; Kafka properties that have no meaning in Skua
 * (KRaft controller settings, thread pools, ...) are listed by {@link #inapplicableProperties()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerConfig {
    // ---- property names ----
    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String QUEUED_MAX_REQUESTS_PER_CONNECTION = "queued.max.requests.per.connection";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String SKUA_ZERO_COPY = "skua.network.zero.copy.enable";
    public static final String SKUA_NATIVE_TRANSPORT = "skua.network.native.transport.enable";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String CLUSTER_BIND = "cluster.bind";
    public static final String CLUSTER_SEEDS = "cluster.seeds";
    public static final String CLUSTER_NAME = "cluster.name";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    private static final String DEFAULT_PROTOCOL_MAP = "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

    /** Known Kafka properties without a meaning in Skua (yet): accepted quietly, listed at INFO. */
    private static final Set<String> INAPPLICABLE = Set.of(
            "process.roles", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "controller.listener.names", "inter.broker.listener.name", "num.io.threads",
            "num.recovery.threads.per.data.dir", "offsets.topic.replication.factor",
            "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
            "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr",
            "queued.max.requests", "zookeeper.connect", "log.cleaner.threads",
            "log.cleaner.io.buffer.size", "log.cleaner.io.buffer.load.factor");

    private static final Map<String, Property<?>> PROPERTIES = new LinkedHashMap<>();

    private static <T> Property<T> define(String name, Class<T> type, Function<String, T> parser, T defaultValue,
                                          Range range, String doc) {
        Property<T> p = new Property<>(name, type, parser, defaultValue, range, doc);
        PROPERTIES.put(name, p);
        return p;
    }

    private static final Property<Integer> P_NODE_ID = define(NODE_ID, Integer.class, Parsers::parseInt, 1, Range.atLeast(0), "id of this broker");
    private static final Property<Integer> P_BROKER_ID = define(BROKER_ID, Integer.class, Parsers::parseInt, null, Range.atLeast(0), "legacy alias of node.id");
    private static final Property<String> P_LISTENERS = define(LISTENERS, String.class, Parsers::parseString, "PLAINTEXT://localhost:9092", Range.ANY, "endpoints to listen on, NAME://host:port");
    private static final Property<String> P_ADVERTISED = define(ADVERTISED_LISTENERS, String.class, Parsers::parseString, null, Range.ANY, "endpoints given to clients (default: listeners)");
    private static final Property<String> P_PROTOCOL_MAP = define(LISTENER_SECURITY_PROTOCOL_MAP, String.class, Parsers::parseString, DEFAULT_PROTOCOL_MAP, Range.ANY, "listener name to security protocol");
    private static final Property<String> P_LOG_DIRS = define(LOG_DIRS, String.class, Parsers::parseString, null, Range.ANY, "data directories (comma-separated); overrides log.dir");
    private static final Property<String> P_LOG_DIR = define(LOG_DIR, String.class, Parsers::parseString, "./data", Range.ANY, "data directory");
    private static final Property<Integer> P_NUM_PARTITIONS = define(NUM_PARTITIONS, Integer.class, Parsers::parseInt, 1, Range.atLeast(1), "partitions of auto-created topics");
    private static final Property<Integer> P_REPLICATION = define(DEFAULT_REPLICATION_FACTOR, Integer.class, Parsers::parseInt, 1, Range.between(1, Short.MAX_VALUE), "replicas of auto-created topics");
    private static final Property<Boolean> P_AUTO_CREATE = define(AUTO_CREATE_TOPICS_ENABLE, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "create topics on metadata/produce for unknown names");
    private static final Property<Integer> P_REQUEST_MAX = define(SOCKET_REQUEST_MAX_BYTES, Integer.class, Parsers::parseInt, 104_857_600, Range.atLeast(1), "largest request accepted");
    private static final Property<Integer> P_SEND_BUFFER = define(SOCKET_SEND_BUFFER_BYTES, Integer.class, Parsers::parseInt, 102_400, Range.atLeastOrDefault(1), "SO_SNDBUF, -1 for the OS default");
    private static final Property<Integer> P_RECEIVE_BUFFER = define(SOCKET_RECEIVE_BUFFER_BYTES, Integer.class, Parsers::parseInt, 102_400, Range.atLeastOrDefault(1), "SO_RCVBUF, -1 for the OS default");
    private static final Property<Integer> P_INFLIGHT = define(QUEUED_MAX_REQUESTS_PER_CONNECTION, Integer.class, Parsers::parseInt, 64, Range.between(1, 100_000), "unanswered requests per connection before reading pauses (Skua)");
    private static final Property<Integer> P_NETWORK_THREADS = define(NUM_NETWORK_THREADS, Integer.class, Parsers::parseInt, null, Range.between(1, 1024), "event loops serving connections (default: available processors)");
    private static final Property<Integer> P_MESSAGE_MAX = define(MESSAGE_MAX_BYTES, Integer.class, Parsers::parseInt, 1_048_588, Range.atLeast(0), "largest record batch accepted");
    private static final Property<Integer> P_SEGMENT_BYTES = define(LOG_SEGMENT_BYTES, Integer.class, Parsers::parseInt, 1_073_741_824, Range.atLeast(14), "segment size before rolling");
    private static final Property<Long> P_ROLL_MS = define(LOG_ROLL_MS, Long.class, Parsers::parseLong, null, Range.atLeast(1), "segment age before rolling; overrides log.roll.hours");
    private static final Property<Integer> P_ROLL_HOURS = define(LOG_ROLL_HOURS, Integer.class, Parsers::parseInt, 168, Range.atLeast(1), "segment age before rolling, hours");
    private static final Property<Long> P_RETENTION_MS = define(LOG_RETENTION_MS, Long.class, Parsers::parseLong, null, Range.atLeast(-1), "retention time; -1 unlimited; overrides minutes/hours");
    private static final Property<Integer> P_RETENTION_MINUTES = define(LOG_RETENTION_MINUTES, Integer.class, Parsers::parseInt, null, Range.atLeast(-1), "retention time, minutes");
    private static final Property<Integer> P_RETENTION_HOURS = define(LOG_RETENTION_HOURS, Integer.class, Parsers::parseInt, 168, Range.atLeast(-1), "retention time, hours");
    private static final Property<Long> P_RETENTION_BYTES = define(LOG_RETENTION_BYTES, Long.class, Parsers::parseLong, -1L, Range.atLeast(-1), "retention size per partition; -1 unlimited");
    private static final Property<Long> P_RETENTION_CHECK = define(LOG_RETENTION_CHECK_INTERVAL_MS, Long.class, Parsers::parseLong, 300_000L, Range.atLeast(1), "retention check period");
    private static final Property<Long> P_FLUSH_MESSAGES = define(LOG_FLUSH_INTERVAL_MESSAGES, Long.class, Parsers::parseLong, Long.MAX_VALUE, Range.atLeast(1), "fsync every N messages; 1 = before acknowledging");
    private static final Property<String> P_CLEANUP_POLICY = define(LOG_CLEANUP_POLICY, String.class, Parsers::parseString, "delete", Range.ANY, "default cleanup.policy of topics: delete, compact or both");
    private static final Property<String> P_TIMESTAMP_TYPE = define(LOG_MESSAGE_TIMESTAMP_TYPE, String.class, Parsers::parseString, "CreateTime", Range.ANY, "default message.timestamp.type of topics: CreateTime or LogAppendTime");
    private static final Property<Integer> P_INDEX_INTERVAL = define(LOG_INDEX_INTERVAL_BYTES, Integer.class, Parsers::parseInt, 4096, Range.atLeast(0), "bytes between offset index entries");
    private static final Property<Long> P_DELETE_DELAY = define(LOG_SEGMENT_DELETE_DELAY_MS, Long.class, Parsers::parseLong, 60_000L, Range.atLeast(0), "how long deleted segment files stay readable");
    private static final Property<Integer> P_OFFSETS_PARTITIONS = define(OFFSETS_TOPIC_NUM_PARTITIONS, Integer.class, Parsers::parseInt, 50, Range.atLeast(1), "partitions of __consumer_offsets");
    private static final Property<Boolean> P_ZERO_COPY = define(SKUA_ZERO_COPY, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "sendfile for fetch data on plaintext listeners (Skua)");
    private static final Property<Boolean> P_NATIVE_TRANSPORT = define(SKUA_NATIVE_TRANSPORT, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "Netty's native epoll transport where it loads, Java NIO otherwise (Skua)");

    private static final Property<Boolean> P_CLEANER_ENABLE = define(LOG_CLEANER_ENABLE, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "run the log cleaner for compacted topics");
    private static final Property<Long> P_CLEANER_BACKOFF = define(LOG_CLEANER_BACKOFF_MS, Long.class, Parsers::parseLong, 15_000L, Range.atLeast(0), "pause between cleaner passes");
    private static final Property<Double> P_CLEANER_IO_RATE = define(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, Double.class, Parsers::parsePositiveDouble, Double.MAX_VALUE, Range.ANY, "cleaner read+write rate limit");
    private static final Property<Long> P_CLEANER_DEDUPE = define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Long.class, Parsers::parseLong, 134_217_728L, Range.atLeast(24 * 1024), "memory for the cleaner's key map (24 bytes a key)");
    private static final Property<Long> P_CLEANER_DELETE_RETENTION = define(LOG_CLEANER_DELETE_RETENTION_MS, Long.class, Parsers::parseLong, 86_400_000L, Range.atLeast(0), "default delete.retention.ms");
    private static final Property<Double> P_CLEANER_MIN_RATIO = define(LOG_CLEANER_MIN_CLEANABLE_RATIO, Double.class, Parsers::parseRatio, 0.5, Range.ANY, "default min.cleanable.dirty.ratio");
    private static final Property<Long> P_CLEANER_MIN_LAG = define(LOG_CLEANER_MIN_COMPACTION_LAG_MS, Long.class, Parsers::parseLong, 0L, Range.atLeast(0), "default min.compaction.lag.ms");
    private static final Property<Integer> P_GROUP_INITIAL_DELAY = define(GROUP_INITIAL_REBALANCE_DELAY_MS, Integer.class, Parsers::parseInt, 3000, Range.atLeast(0), "how long the first rebalance of an empty group waits for more members");
    private static final Property<Integer> P_GROUP_MIN_SESSION = define(GROUP_MIN_SESSION_TIMEOUT_MS, Integer.class, Parsers::parseInt, 6000, Range.atLeast(0), "smallest session timeout a group member may ask for");
    private static final Property<Integer> P_GROUP_MAX_SESSION = define(GROUP_MAX_SESSION_TIMEOUT_MS, Integer.class, Parsers::parseInt, 1_800_000, Range.atLeast(0), "largest session timeout a group member may ask for");
    private static final Property<Integer> P_GROUP_MAX_SIZE = define(GROUP_MAX_SIZE, Integer.class, Parsers::parseInt, Integer.MAX_VALUE, Range.atLeast(1), "members a classic group may have");
    private static final Property<Integer> P_OFFSETS_RETENTION = define(OFFSETS_RETENTION_MINUTES, Integer.class, Parsers::parseInt, 10080, Range.atLeast(1), "how long committed offsets of an empty group are kept");
    private static final Property<Long> P_OFFSETS_RETENTION_CHECK = define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Long.class, Parsers::parseLong, 600_000L, Range.atLeast(1), "offset expiration check period");
    private static final Property<Integer> P_OFFSET_METADATA_MAX = define(OFFSET_METADATA_MAX_BYTES, Integer.class, Parsers::parseInt, 4096, Range.atLeast(0), "longest metadata string of an offset commit");

    private static final Property<String> P_CLUSTER_BIND = define(CLUSTER_BIND, String.class, Parsers::parseString, null, Range.ANY, "host:port this broker's cluster transport (JGroups TCP) binds; set to run clustered (Skua)");
    private static final Property<String> P_CLUSTER_SEEDS = define(CLUSTER_SEEDS, String.class, Parsers::parseString, null, Range.ANY, "host:port list of cluster members to contact when joining (Skua)");
    private static final Property<String> P_CLUSTER_NAME = define(CLUSTER_NAME, String.class, Parsers::parseString, "skua", Range.ANY, "name of the cluster; brokers only join members with the same name (Skua)");
    private static final Property<Long> P_REPLICA_LAG = define(REPLICA_LAG_TIME_MAX_MS, Long.class, Parsers::parseLong, 30_000L, Range.atLeast(1), "a follower that has not caught up with the leader for this long leaves the ISR");
    private static final Property<Boolean> P_UNCLEAN = define(UNCLEAN_LEADER_ELECTION_ENABLE, Boolean.class, Parsers::parseBoolean, false, Range.ANY, "elect a leader outside the ISR when no ISR member is alive (data loss)");

    private final Map<String, String> originals;
    private final Map<String, Object> values;
    private final List<Endpoint> listeners;
    private final List<Endpoint> advertisedListeners;
    private final List<Path> logDirs;
    private final HostPort clusterBind;
    private final List<HostPort> clusterSeeds;
    private final Set<String> unknown;
    private final Set<String> inapplicable;

    private BrokerConfig(Map<String, String> originals) {
        this.originals = Collections.unmodifiableMap(new LinkedHashMap<>(originals));
        List<String> errors = new ArrayList<>();
        Map<String, Object> parsed = new LinkedHashMap<>();
        Set<String> unknownNames = new TreeSet<>();
        Set<String> inapplicableNames = new TreeSet<>();
        for (Map.Entry<String, String> e : originals.entrySet()) {
            // min.insync.replicas is read as it was given (minInsyncReplicas), not modelled
            if (!PROPERTIES.containsKey(e.getKey()) && !e.getKey().equals(MIN_INSYNC_REPLICAS)) {
                (INAPPLICABLE.contains(e.getKey()) ? inapplicableNames : unknownNames).add(e.getKey());
            }
        }
        for (Property<?> p : PROPERTIES.values()) {
            String raw = originals.get(p.name());
            try {
                parsed.put(p.name(), raw == null ? p.defaultValue() : p.parse(raw));
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            }
        }
        this.values = parsed;
        this.unknown = Collections.unmodifiableSet(unknownNames);
        this.inapplicable = Collections.unmodifiableSet(inapplicableNames);

        List<Endpoint> parsedListeners = List.of();
        List<Endpoint> parsedAdvertised = List.of();
        try {
            Map<String, SecurityProtocol> protocols = ListenerParser.parseProtocolMap(
                    LISTENER_SECURITY_PROTOCOL_MAP, (String) values.get(LISTENER_SECURITY_PROTOCOL_MAP));
            parsedListeners = ListenerParser.parse(LISTENERS, (String) values.get(LISTENERS), protocols);
            String advertised = (String) values.get(ADVERTISED_LISTENERS);
            parsedAdvertised = advertised == null
                    ? defaultAdvertised(parsedListeners)
                    : validateAdvertised(ListenerParser.parse(ADVERTISED_LISTENERS, advertised, protocols),
                    parsedListeners, advertised);
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        this.listeners = parsedListeners;
        this.advertisedListeners = parsedAdvertised;

        String dirs = values.get(LOG_DIRS) != null ? (String) values.get(LOG_DIRS) : (String) values.get(LOG_DIR);
        List<Path> parsedDirs = new ArrayList<>();
        for (String dir : ListenerParser.splitList(dirs == null ? "" : dirs)) {
            try {
                parsedDirs.add(Path.of(dir).toAbsolutePath().normalize());
            } catch (RuntimeException e) {
                errors.add("Invalid value " + dirs + " for configuration " + LOG_DIRS + ": " + e.getMessage());
            }
        }
        if (parsedDirs.isEmpty() && errors.isEmpty()) {
            errors.add("Invalid value '" + dirs + "' for configuration " + LOG_DIRS + ": at least one directory is required");
        }
        this.logDirs = List.copyOf(parsedDirs);

        Integer minSession = (Integer) values.get(GROUP_MIN_SESSION_TIMEOUT_MS);
        Integer maxSession = (Integer) values.get(GROUP_MAX_SESSION_TIMEOUT_MS);
        if (minSession != null && maxSession != null && minSession > maxSession) {
            errors.add("Invalid value " + maxSession + " for configuration " + GROUP_MAX_SESSION_TIMEOUT_MS
                    + ": must be at least " + GROUP_MIN_SESSION_TIMEOUT_MS + " (" + minSession + ")");
        }
        HostPort bind = null;
        List<HostPort> seeds = List.of();
        String rawBind = (String) values.get(CLUSTER_BIND);
        String rawSeeds = (String) values.get(CLUSTER_SEEDS);
        try {
            if (rawBind != null) {
                bind = HostPort.parse(CLUSTER_BIND, rawBind);
                List<HostPort> parsedSeeds = new ArrayList<>();
                for (String seed : ListenerParser.splitList(rawSeeds == null ? "" : rawSeeds)) {
                    parsedSeeds.add(HostPort.parse(CLUSTER_SEEDS, seed));
                }
                seeds = List.copyOf(parsedSeeds);
            } else if (rawSeeds != null) {
                throw ConfigException.invalid(CLUSTER_SEEDS, rawSeeds, CLUSTER_BIND + " is required to run clustered");
            }
            String name = (String) values.get(CLUSTER_NAME);
            if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
                throw ConfigException.invalid(CLUSTER_NAME, name, "letters, digits, '.', '_' and '-' only");
            }
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        this.clusterBind = bind;
        this.clusterSeeds = seeds;

        if (!errors.isEmpty()) {
            throw new ConfigException(String.join("; ", errors));
        }
    }

    // ---- construction ----

    /** Defaults for everything. */
    public static BrokerConfig defaults() {
        return new BrokerConfig(Map.of());
    }

    /** From explicit properties (later entries of a LinkedHashMap win, as overrides do). */
    public static BrokerConfig of(Map<String, String> properties) {
        return new BrokerConfig(properties);
    }

    /**
     * From a properties file (optional) and {@code key=value} overrides applied on top.
     *
     * @throws ConfigException when the file cannot be read or a value is invalid
     */
    public static BrokerConfig load(Path file, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            merged.putAll(readProperties(file));
        }
        merged.putAll(overrides);
        return new BrokerConfig(merged);
    }

    public static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e, e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : new TreeSet<>(props.stringPropertyNames())) {
            map.put(name, props.getProperty(name).trim());
        }
        return map;
    }

    /** Parses a {@code key=value} override. */
    public static Map.Entry<String, String> parseOverride(String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("Invalid override '" + override + "': expected key=value");
        }
        return Map.entry(override.substring(0, eq).trim(), override.substring(eq + 1).trim());
    }

    /** A copy with more properties set (for tests and embedding). */
    public BrokerConfig with(String name, Object value) {
        Map<String, String> copy = new LinkedHashMap<>(originals);
        copy.put(name, String.valueOf(value));
        return new BrokerConfig(copy);
    }

    // ---- getters ----

    public int nodeId() {
        Integer brokerId = get(P_BROKER_ID);
        return originals.containsKey(NODE_ID) || brokerId == null ? get(P_NODE_ID) : brokerId;
    }

    public List<Endpoint> listeners() {
        return listeners;
    }

    /** Advertised endpoints; a port of 0 means "the port the matching listener actually bound". */
    public List<Endpoint> advertisedListeners() {
        return advertisedListeners;
    }

    /** Absolute data directories, first is the primary one. */
    public List<Path> logDirs() {
        return logDirs;
    }

    public int numPartitions() {
        return get(P_NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return get(P_REPLICATION).shortValue();
    }

    public boolean autoCreateTopicsEnable() {
        return get(P_AUTO_CREATE);
    }

    public int socketRequestMaxBytes() {
        return get(P_REQUEST_MAX);
    }

    /** -1 means the OS default. */
    public int socketSendBufferBytes() {
        return get(P_SEND_BUFFER);
    }

    /** -1 means the OS default. */
    public int socketReceiveBufferBytes() {
        return get(P_RECEIVE_BUFFER);
    }

    public int queuedMaxRequestsPerConnection() {
        return get(P_INFLIGHT);
    }

    public int numNetworkThreads() {
        Integer n = get(P_NETWORK_THREADS);
        return n != null ? n : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int messageMaxBytes() {
        return get(P_MESSAGE_MAX);
    }

    public int logSegmentBytes() {
        return get(P_SEGMENT_BYTES);
    }

    /** log.roll.ms, else log.roll.hours. */
    public long logRollMs() {
        Long ms = get(P_ROLL_MS);
        return ms != null ? ms : get(P_ROLL_HOURS) * 3_600_000L;
    }

    /** log.retention.ms, else minutes, else hours; -1 (any negative) means unlimited. */
    public long logRetentionMs() {
        Long ms = get(P_RETENTION_MS);
        long value;
        if (ms != null) {
            value = ms;
        } else if (get(P_RETENTION_MINUTES) != null) {
            value = get(P_RETENTION_MINUTES) * 60_000L;
        } else {
            value = get(P_RETENTION_HOURS) * 3_600_000L;
        }
        return value < 0 ? -1L : value;
    }

    /** -1 means unlimited. */
    public long logRetentionBytes() {
        return get(P_RETENTION_BYTES);
    }

    public long logRetentionCheckIntervalMs() {
        return get(P_RETENTION_CHECK);
    }

    /** Long.MAX_VALUE: never fsync on a message count (Kafka's default: rely on replication); 1: before each ack. */
    public long logFlushIntervalMessages() {
        return get(P_FLUSH_MESSAGES);
    }

    public String logCleanupPolicy() {
        return get(P_CLEANUP_POLICY);
    }

    /** CreateTime or LogAppendTime (validated where the log defaults are built). */
    public String logMessageTimestampType() {
        return get(P_TIMESTAMP_TYPE);
    }

    public int logIndexIntervalBytes() {
        return get(P_INDEX_INTERVAL);
    }

    public long logSegmentDeleteDelayMs() {
        return get(P_DELETE_DELAY);
    }

    public boolean logCleanerEnable() {
        return get(P_CLEANER_ENABLE);
    }

    public long logCleanerBackoffMs() {
        return get(P_CLEANER_BACKOFF);
    }

    public double logCleanerIoMaxBytesPerSecond() {
        return get(P_CLEANER_IO_RATE);
    }

    public long logCleanerDedupeBufferSize() {
        return get(P_CLEANER_DEDUPE);
    }

    public long logCleanerDeleteRetentionMs() {
        return get(P_CLEANER_DELETE_RETENTION);
    }

    public double logCleanerMinCleanableRatio() {
        return get(P_CLEANER_MIN_RATIO);
    }

    public long logCleanerMinCompactionLagMs() {
        return get(P_CLEANER_MIN_LAG);
    }

    public int offsetsTopicNumPartitions() {
        return get(P_OFFSETS_PARTITIONS);
    }

    public int groupInitialRebalanceDelayMs() {
        return get(P_GROUP_INITIAL_DELAY);
    }

    public int groupMinSessionTimeoutMs() {
        return get(P_GROUP_MIN_SESSION);
    }

    public int groupMaxSessionTimeoutMs() {
        return get(P_GROUP_MAX_SESSION);
    }

    public int groupMaxSize() {
        return get(P_GROUP_MAX_SIZE);
    }

    public int offsetsRetentionMinutes() {
        return get(P_OFFSETS_RETENTION);
    }

    public long offsetsRetentionCheckIntervalMs() {
        return get(P_OFFSETS_RETENTION_CHECK);
    }

    public int offsetMetadataMaxBytes() {
        return get(P_OFFSET_METADATA_MAX);
    }

    public boolean zeroCopyEnabled() {
        return get(P_ZERO_COPY);
    }

    /** Whether the event loops use Netty's native epoll transport when it is available (NIO otherwise). */
    public boolean nativeTransportEnabled() {
        return get(P_NATIVE_TRANSPORT);
    }

    /** True when {@code cluster.bind} is set: the broker joins a cluster instead of running alone. */
    public boolean clustered() {
        return clusterBind != null;
    }

    /** The cluster transport's bind address; null when not clustered. */
    public HostPort clusterBind() {
        return clusterBind;
    }

    /** Members to contact when joining (may include this broker's own bind address). */
    public List<HostPort> clusterSeeds() {
        return clusterSeeds;
    }

    public String clusterName() {
        return get(P_CLUSTER_NAME);
    }

    public boolean uncleanLeaderElectionEnable() {
        return get(P_UNCLEAN);
    }

    public long replicaLagTimeMaxMs() {
        return get(P_REPLICA_LAG);
    }

    /**
     * Broker default of the topic config {@code min.insync.replicas} (1). Not a modelled property: DescribeConfigs
     * reports it as the synonym of the topic config, as before.
     */
    public int minInsyncReplicas() {
        String raw = originals.get(MIN_INSYNC_REPLICAS);
        try {
            return raw == null ? 1 : Math.max(1, Integer.parseInt(raw.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Properties as given (file then overrides). */
    public Map<String, String> originals() {
        return originals;
    }

    /** One known property as DescribeConfigs reports it. */
    public record Entry(String name, Class<?> type, Object value, boolean explicit, String doc) {
    }

    /** Every known property with its parsed value (null when unset without a default), in definition order. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Property<?> p : PROPERTIES.values()) {
            out.add(new Entry(p.name(), p.type(), values.get(p.name()), originals.containsKey(p.name()), p.doc()));
        }
        return out;
    }

    /** Names given that no part of Skua or Kafka knows; ignored. */
    public Set<String> unknownProperties() {
        return unknown;
    }

    /** Kafka property names given that have no meaning in Skua (yet); ignored. */
    public Set<String> inapplicableProperties() {
        return inapplicable;
    }

    /** Names and one-line descriptions of every known property, for --help. */
    public static Map<String, String> documentation() {
        Map<String, String> docs = new LinkedHashMap<>();
        for (Property<?> p : PROPERTIES.values()) {
            docs.put(p.name(), p.doc() + (p.defaultValue() == null ? "" : " (default " + p.defaultValue() + ")"));
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Property<T> p) {
        return (T) values.get(p.name());
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
                throw ConfigException.invalid(ADVERTISED_LISTENERS, raw, "cannot advertise the wildcard address of " + a);
            }
            if (listeners.stream().noneMatch(l -> l.listenerName().equals(a.listenerName()))) {
                throw ConfigException.invalid(ADVERTISED_LISTENERS, raw, "listener " + a.listenerName() + " is not in listeners");
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

    @Override
    public String toString() {
        return "BrokerConfig" + values;
    }

    // ---- definitions ----

    private record Property<T>(String name, Class<T> type, Function<String, T> parser, T defaultValue, Range range,
                               String doc) {
        T parse(String raw) {
            T value;
            try {
                value = parser.apply(raw.trim());
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid(name, raw, e.getMessage());
            }
            if (value instanceof Number n && !range.contains(n.longValue())) {
                throw ConfigException.invalid(name, raw, "must be " + range);
            }
            return value;
        }
    }

    private record Range(long min, long max, boolean allowMinusOne) {
        static final Range ANY = new Range(Long.MIN_VALUE, Long.MAX_VALUE, false);

        static Range atLeast(long min) {
            return new Range(min, Long.MAX_VALUE, false);
        }

        static Range atLeastOrDefault(long min) {
            return new Range(min, Long.MAX_VALUE, true);
        }

        static Range between(long min, long max) {
            return new Range(min, max, false);
        }

        boolean contains(long v) {
            return (allowMinusOne && v == -1) || (v >= min && v <= max);
        }

        @Override
        public String toString() {
            String base = max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            return allowMinusOne ? "-1 or " + base : base;
        }
    }

    private static final class Parsers {
        static int parseInt(String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number of type INT");
            }
        }

        static long parseLong(String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number of type LONG");
            }
        }

        static double parsePositiveDouble(String s) {
            double v = parseDouble(s);
            if (!(v > 0)) {
                throw new IllegalArgumentException("must be above 0");
            }
            return v;
        }

        static double parseRatio(String s) {
            double v = parseDouble(s);
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("must be between 0 and 1");
            }
            return v;
        }

        private static double parseDouble(String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number of type DOUBLE");
            }
        }

        static boolean parseBoolean(String s) {
            String v = s.toLowerCase(Locale.ROOT);
            if (v.equals("true")) {
                return true;
            }
            if (v.equals("false")) {
                return false;
            }
            throw new IllegalArgumentException("expected true or false");
        }

        static String parseString(String s) {
            return s;
        }
    }
}
