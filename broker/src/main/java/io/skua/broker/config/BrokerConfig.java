package io.skua.broker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Broker configuration under Kafka's property names, from a server.properties-style file plus overrides
 * ({@link ConfigSources}): the names, the typed getters, and what DescribeConfigs and --help show.
 *
 * <p>Every known property ({@link KnownProperties}) is parsed and range-checked when the config is built
 * ({@link ParsedConfig}); all problems are reported together in one {@link ConfigException} naming each property and
 * value. Unknown properties are kept (see {@link #unknownProperties()}) and ignored, as Kafka does; Kafka properties
 * that have no meaning in Skua (KRaft controller settings, thread pools, ...) are listed by
 * {@link #inapplicableProperties()}.
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

    private final Map<String, String> originals;
    private final ParsedConfig parsed;

    private BrokerConfig(Map<String, String> originals) {
        this.originals = Collections.unmodifiableMap(new LinkedHashMap<>(originals));
        this.parsed = ParsedConfig.parse(originals);
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
            merged.putAll(ConfigSources.readFile(file));
        }
        merged.putAll(overrides);
        return new BrokerConfig(merged);
    }

    /** A copy with more properties set (for tests and embedding). */
    public BrokerConfig with(String name, Object value) {
        Map<String, String> copy = new LinkedHashMap<>(originals);
        copy.put(name, String.valueOf(value));
        return new BrokerConfig(copy);
    }

    // ---- getters ----

    public int nodeId() {
        Integer brokerId = get(KnownProperties.BROKER_ID);
        return originals.containsKey(NODE_ID) || brokerId == null ? get(KnownProperties.NODE_ID) : brokerId;
    }

    public List<Endpoint> listeners() {
        return parsed.listeners();
    }

    /** Advertised endpoints; a port of 0 means "the port the matching listener actually bound". */
    public List<Endpoint> advertisedListeners() {
        return parsed.advertisedListeners();
    }

    /** Absolute data directories, first is the primary one. */
    public List<Path> logDirs() {
        return parsed.logDirs();
    }

    public int numPartitions() {
        return get(KnownProperties.NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return get(KnownProperties.REPLICATION).shortValue();
    }

    public boolean autoCreateTopicsEnable() {
        return get(KnownProperties.AUTO_CREATE);
    }

    public int socketRequestMaxBytes() {
        return get(KnownProperties.REQUEST_MAX);
    }

    /** -1 means the OS default. */
    public int socketSendBufferBytes() {
        return get(KnownProperties.SEND_BUFFER);
    }

    /** -1 means the OS default. */
    public int socketReceiveBufferBytes() {
        return get(KnownProperties.RECEIVE_BUFFER);
    }

    public int queuedMaxRequestsPerConnection() {
        return get(KnownProperties.INFLIGHT);
    }

    public int numNetworkThreads() {
        Integer n = get(KnownProperties.NETWORK_THREADS);
        return n != null ? n : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int messageMaxBytes() {
        return get(KnownProperties.MESSAGE_MAX);
    }

    public int logSegmentBytes() {
        return get(KnownProperties.SEGMENT_BYTES);
    }

    /** log.roll.ms, else log.roll.hours. */
    public long logRollMs() {
        Long ms = get(KnownProperties.ROLL_MS);
        return ms != null ? ms : get(KnownProperties.ROLL_HOURS) * 3_600_000L;
    }

    /** log.retention.ms, else minutes, else hours; -1 (any negative) means unlimited. */
    public long logRetentionMs() {
        Long ms = get(KnownProperties.RETENTION_MS);
        long value;
        if (ms != null) {
            value = ms;
        } else if (get(KnownProperties.RETENTION_MINUTES) != null) {
            value = get(KnownProperties.RETENTION_MINUTES) * 60_000L;
        } else {
            value = get(KnownProperties.RETENTION_HOURS) * 3_600_000L;
        }
        return value < 0 ? -1L : value;
    }

    /** -1 means unlimited. */
    public long logRetentionBytes() {
        return get(KnownProperties.RETENTION_BYTES);
    }

    public long logRetentionCheckIntervalMs() {
        return get(KnownProperties.RETENTION_CHECK);
    }

    /** Long.MAX_VALUE: never fsync on a message count (Kafka's default: rely on replication); 1: before each ack. */
    public long logFlushIntervalMessages() {
        return get(KnownProperties.FLUSH_MESSAGES);
    }

    public String logCleanupPolicy() {
        return get(KnownProperties.CLEANUP_POLICY);
    }

    /** CreateTime or LogAppendTime (validated where the log defaults are built). */
    public String logMessageTimestampType() {
        return get(KnownProperties.TIMESTAMP_TYPE);
    }

    public int logIndexIntervalBytes() {
        return get(KnownProperties.INDEX_INTERVAL);
    }

    public long logSegmentDeleteDelayMs() {
        return get(KnownProperties.DELETE_DELAY);
    }

    public boolean logCleanerEnable() {
        return get(KnownProperties.CLEANER_ENABLE);
    }

    public long logCleanerBackoffMs() {
        return get(KnownProperties.CLEANER_BACKOFF);
    }

    public double logCleanerIoMaxBytesPerSecond() {
        return get(KnownProperties.CLEANER_IO_RATE);
    }

    public long logCleanerDedupeBufferSize() {
        return get(KnownProperties.CLEANER_DEDUPE);
    }

    public long logCleanerDeleteRetentionMs() {
        return get(KnownProperties.CLEANER_DELETE_RETENTION);
    }

    public double logCleanerMinCleanableRatio() {
        return get(KnownProperties.CLEANER_MIN_RATIO);
    }

    public long logCleanerMinCompactionLagMs() {
        return get(KnownProperties.CLEANER_MIN_LAG);
    }

    public int offsetsTopicNumPartitions() {
        return get(KnownProperties.OFFSETS_PARTITIONS);
    }

    public int groupInitialRebalanceDelayMs() {
        return get(KnownProperties.GROUP_INITIAL_DELAY);
    }

    public int groupMinSessionTimeoutMs() {
        return get(KnownProperties.GROUP_MIN_SESSION);
    }

    public int groupMaxSessionTimeoutMs() {
        return get(KnownProperties.GROUP_MAX_SESSION);
    }

    public int groupMaxSize() {
        return get(KnownProperties.GROUP_MAX_SIZE);
    }

    public int offsetsRetentionMinutes() {
        return get(KnownProperties.OFFSETS_RETENTION);
    }

    public long offsetsRetentionCheckIntervalMs() {
        return get(KnownProperties.OFFSETS_RETENTION_CHECK);
    }

    public int offsetMetadataMaxBytes() {
        return get(KnownProperties.OFFSET_METADATA_MAX);
    }

    public boolean zeroCopyEnabled() {
        return get(KnownProperties.ZERO_COPY);
    }

    /** Whether the event loops use Netty's native epoll transport when it is available (NIO otherwise). */
    public boolean nativeTransportEnabled() {
        return get(KnownProperties.NATIVE_TRANSPORT);
    }

    /** True when {@code cluster.bind} is set: the broker joins a cluster instead of running alone. */
    public boolean clustered() {
        return parsed.clusterBind() != null;
    }

    /** The cluster transport's bind address; null when not clustered. */
    public HostPort clusterBind() {
        return parsed.clusterBind();
    }

    /** Members to contact when joining (may include this broker's own bind address). */
    public List<HostPort> clusterSeeds() {
        return parsed.clusterSeeds();
    }

    public String clusterName() {
        return get(KnownProperties.CLUSTER_NAME);
    }

    public boolean uncleanLeaderElectionEnable() {
        return get(KnownProperties.UNCLEAN);
    }

    public long replicaLagTimeMaxMs() {
        return get(KnownProperties.REPLICA_LAG);
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
        for (Property<?> p : KnownProperties.ALL.values()) {
            out.add(new Entry(p.name(), p.type(), parsed.values().get(p.name()), originals.containsKey(p.name()), p.doc()));
        }
        return out;
    }

    /** Names given that no part of Skua or Kafka knows; ignored. */
    public Set<String> unknownProperties() {
        return parsed.unknown();
    }

    /** Kafka property names given that have no meaning in Skua (yet); ignored. */
    public Set<String> inapplicableProperties() {
        return parsed.inapplicable();
    }

    /** Names and one-line descriptions of every known property, for --help. */
    public static Map<String, String> documentation() {
        Map<String, String> docs = new LinkedHashMap<>();
        for (Property<?> p : KnownProperties.ALL.values()) {
            docs.put(p.name(), p.doc() + (p.defaultValue() == null ? "" : " (default " + p.defaultValue() + ")"));
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Property<T> p) {
        return (T) parsed.values().get(p.name());
    }


    @Override
    public String toString() {
        return "BrokerConfig" + parsed.values();
    }

}
