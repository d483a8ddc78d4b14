package io.skua.broker.config;

import io.skua.broker.config.Property.Range;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The table of the properties Skua knows, under Kafka's names where Kafka has one: for each its type, parser, default,
 * range and description ({@link Property}); and the Kafka properties Skua accepts without a meaning. Adding a property
 * is one line here and a getter in {@link BrokerConfig}.
 */
final class KnownProperties {
    private KnownProperties() {
    }

    private static final String DEFAULT_PROTOCOL_MAP = "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

    /** Known Kafka properties without a meaning in Skua (yet): accepted quietly, listed at INFO. */
    static final Set<String> INAPPLICABLE = Set.of(
            "process.roles", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "controller.listener.names", "inter.broker.listener.name", "num.io.threads",
            "num.recovery.threads.per.data.dir", "offsets.topic.replication.factor",
            "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
            "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr",
            "queued.max.requests", "zookeeper.connect", "log.cleaner.threads",
            "log.cleaner.io.buffer.size", "log.cleaner.io.buffer.load.factor");

    /** Every known property by name, in definition order (the order of DescribeConfigs and --help). */
    static final Map<String, Property<?>> ALL = new LinkedHashMap<>();

    private static <T> Property<T> define(String name, Class<T> type, Function<String, T> parser, T defaultValue,
                                          Range range, String doc) {
        Property<T> p = new Property<>(name, type, parser, defaultValue, range, doc);
        ALL.put(name, p);
        return p;
    }

    static final Property<Integer> NODE_ID = define(BrokerConfig.NODE_ID, Integer.class, Parsers::parseInt, 1, Range.atLeast(0), "id of this broker");
    static final Property<Integer> BROKER_ID = define(BrokerConfig.BROKER_ID, Integer.class, Parsers::parseInt, null, Range.atLeast(0), "legacy alias of node.id");
    static final Property<String> LISTENERS = define(BrokerConfig.LISTENERS, String.class, Parsers::parseString, "PLAINTEXT://localhost:9092", Range.ANY, "endpoints to listen on, NAME://host:port");
    static final Property<String> ADVERTISED = define(BrokerConfig.ADVERTISED_LISTENERS, String.class, Parsers::parseString, null, Range.ANY, "endpoints given to clients (default: listeners)");
    static final Property<String> PROTOCOL_MAP = define(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP, String.class, Parsers::parseString, DEFAULT_PROTOCOL_MAP, Range.ANY, "listener name to security protocol");
    static final Property<String> LOG_DIRS = define(BrokerConfig.LOG_DIRS, String.class, Parsers::parseString, null, Range.ANY, "data directories (comma-separated); overrides log.dir");
    static final Property<String> LOG_DIR = define(BrokerConfig.LOG_DIR, String.class, Parsers::parseString, "./data", Range.ANY, "data directory");
    static final Property<Integer> NUM_PARTITIONS = define(BrokerConfig.NUM_PARTITIONS, Integer.class, Parsers::parseInt, 1, Range.atLeast(1), "partitions of auto-created topics");
    static final Property<Integer> REPLICATION = define(BrokerConfig.DEFAULT_REPLICATION_FACTOR, Integer.class, Parsers::parseInt, 1, Range.between(1, Short.MAX_VALUE), "replicas of auto-created topics");
    static final Property<Boolean> AUTO_CREATE = define(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "create topics on metadata/produce for unknown names");
    static final Property<Integer> REQUEST_MAX = define(BrokerConfig.SOCKET_REQUEST_MAX_BYTES, Integer.class, Parsers::parseInt, 104_857_600, Range.atLeast(1), "largest request accepted");
    static final Property<Integer> SEND_BUFFER = define(BrokerConfig.SOCKET_SEND_BUFFER_BYTES, Integer.class, Parsers::parseInt, 102_400, Range.atLeastOrDefault(1), "SO_SNDBUF, -1 for the OS default");
    static final Property<Integer> RECEIVE_BUFFER = define(BrokerConfig.SOCKET_RECEIVE_BUFFER_BYTES, Integer.class, Parsers::parseInt, 102_400, Range.atLeastOrDefault(1), "SO_RCVBUF, -1 for the OS default");
    static final Property<Integer> INFLIGHT = define(BrokerConfig.QUEUED_MAX_REQUESTS_PER_CONNECTION, Integer.class, Parsers::parseInt, 64, Range.between(1, 100_000), "unanswered requests per connection before reading pauses (Skua)");
    static final Property<Integer> NETWORK_THREADS = define(BrokerConfig.NUM_NETWORK_THREADS, Integer.class, Parsers::parseInt, null, Range.between(1, 1024), "event loops serving connections (default: available processors)");
    static final Property<Integer> MESSAGE_MAX = define(BrokerConfig.MESSAGE_MAX_BYTES, Integer.class, Parsers::parseInt, 1_048_588, Range.atLeast(0), "largest record batch accepted");
    static final Property<Integer> SEGMENT_BYTES = define(BrokerConfig.LOG_SEGMENT_BYTES, Integer.class, Parsers::parseInt, 1_073_741_824, Range.atLeast(14), "segment size before rolling");
    static final Property<Long> ROLL_MS = define(BrokerConfig.LOG_ROLL_MS, Long.class, Parsers::parseLong, null, Range.atLeast(1), "segment age before rolling; overrides log.roll.hours");
    static final Property<Integer> ROLL_HOURS = define(BrokerConfig.LOG_ROLL_HOURS, Integer.class, Parsers::parseInt, 168, Range.atLeast(1), "segment age before rolling, hours");
    static final Property<Long> RETENTION_MS = define(BrokerConfig.LOG_RETENTION_MS, Long.class, Parsers::parseLong, null, Range.atLeast(-1), "retention time; -1 unlimited; overrides minutes/hours");
    static final Property<Integer> RETENTION_MINUTES = define(BrokerConfig.LOG_RETENTION_MINUTES, Integer.class, Parsers::parseInt, null, Range.atLeast(-1), "retention time, minutes");
    static final Property<Integer> RETENTION_HOURS = define(BrokerConfig.LOG_RETENTION_HOURS, Integer.class, Parsers::parseInt, 168, Range.atLeast(-1), "retention time, hours");
    static final Property<Long> RETENTION_BYTES = define(BrokerConfig.LOG_RETENTION_BYTES, Long.class, Parsers::parseLong, -1L, Range.atLeast(-1), "retention size per partition; -1 unlimited");
    static final Property<Long> RETENTION_CHECK = define(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS, Long.class, Parsers::parseLong, 300_000L, Range.atLeast(1), "retention check period");
    static final Property<Long> FLUSH_MESSAGES = define(BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES, Long.class, Parsers::parseLong, Long.MAX_VALUE, Range.atLeast(1), "fsync every N messages; 1 = before acknowledging");
    static final Property<String> CLEANUP_POLICY = define(BrokerConfig.LOG_CLEANUP_POLICY, String.class, Parsers::parseString, "delete", Range.ANY, "default cleanup.policy of topics: delete, compact or both");
    static final Property<String> TIMESTAMP_TYPE = define(BrokerConfig.LOG_MESSAGE_TIMESTAMP_TYPE, String.class, Parsers::parseString, "CreateTime", Range.ANY, "default message.timestamp.type of topics: CreateTime or LogAppendTime");
    static final Property<Integer> INDEX_INTERVAL = define(BrokerConfig.LOG_INDEX_INTERVAL_BYTES, Integer.class, Parsers::parseInt, 4096, Range.atLeast(0), "bytes between offset index entries");
    static final Property<Long> DELETE_DELAY = define(BrokerConfig.LOG_SEGMENT_DELETE_DELAY_MS, Long.class, Parsers::parseLong, 60_000L, Range.atLeast(0), "how long deleted segment files stay readable");
    static final Property<Integer> OFFSETS_PARTITIONS = define(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS, Integer.class, Parsers::parseInt, 50, Range.atLeast(1), "partitions of __consumer_offsets");
    static final Property<Boolean> ZERO_COPY = define(BrokerConfig.SKUA_ZERO_COPY, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "sendfile for fetch data on plaintext listeners (Skua)");
    static final Property<Boolean> NATIVE_TRANSPORT = define(BrokerConfig.SKUA_NATIVE_TRANSPORT, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "Netty's native epoll transport where it loads, Java NIO otherwise (Skua)");

    static final Property<Boolean> CLEANER_ENABLE = define(BrokerConfig.LOG_CLEANER_ENABLE, Boolean.class, Parsers::parseBoolean, true, Range.ANY, "run the log cleaner for compacted topics");
    static final Property<Long> CLEANER_BACKOFF = define(BrokerConfig.LOG_CLEANER_BACKOFF_MS, Long.class, Parsers::parseLong, 15_000L, Range.atLeast(0), "pause between cleaner passes");
    static final Property<Double> CLEANER_IO_RATE = define(BrokerConfig.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, Double.class, Parsers::parsePositiveDouble, Double.MAX_VALUE, Range.ANY, "cleaner read+write rate limit");
    static final Property<Long> CLEANER_DEDUPE = define(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE, Long.class, Parsers::parseLong, 134_217_728L, Range.atLeast(24 * 1024), "memory for the cleaner's key map (24 bytes a key)");
    static final Property<Long> CLEANER_DELETE_RETENTION = define(BrokerConfig.LOG_CLEANER_DELETE_RETENTION_MS, Long.class, Parsers::parseLong, 86_400_000L, Range.atLeast(0), "default delete.retention.ms");
    static final Property<Double> CLEANER_MIN_RATIO = define(BrokerConfig.LOG_CLEANER_MIN_CLEANABLE_RATIO, Double.class, Parsers::parseRatio, 0.5, Range.ANY, "default min.cleanable.dirty.ratio");
    static final Property<Long> CLEANER_MIN_LAG = define(BrokerConfig.LOG_CLEANER_MIN_COMPACTION_LAG_MS, Long.class, Parsers::parseLong, 0L, Range.atLeast(0), "default min.compaction.lag.ms");
    static final Property<Integer> GROUP_INITIAL_DELAY = define(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, Integer.class, Parsers::parseInt, 3000, Range.atLeast(0), "how long the first rebalance of an empty group waits for more members");
    static final Property<Integer> GROUP_MIN_SESSION = define(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS, Integer.class, Parsers::parseInt, 6000, Range.atLeast(0), "smallest session timeout a group member may ask for");
    static final Property<Integer> GROUP_MAX_SESSION = define(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS, Integer.class, Parsers::parseInt, 1_800_000, Range.atLeast(0), "largest session timeout a group member may ask for");
    static final Property<Integer> GROUP_MAX_SIZE = define(BrokerConfig.GROUP_MAX_SIZE, Integer.class, Parsers::parseInt, Integer.MAX_VALUE, Range.atLeast(1), "members a classic group may have");
    static final Property<Integer> OFFSETS_RETENTION = define(BrokerConfig.OFFSETS_RETENTION_MINUTES, Integer.class, Parsers::parseInt, 10080, Range.atLeast(1), "how long committed offsets of an empty group are kept");
    static final Property<Long> OFFSETS_RETENTION_CHECK = define(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS, Long.class, Parsers::parseLong, 600_000L, Range.atLeast(1), "offset expiration check period");
    static final Property<Integer> OFFSET_METADATA_MAX = define(BrokerConfig.OFFSET_METADATA_MAX_BYTES, Integer.class, Parsers::parseInt, 4096, Range.atLeast(0), "longest metadata string of an offset commit");

    static final Property<String> CLUSTER_BIND = define(BrokerConfig.CLUSTER_BIND, String.class, Parsers::parseString, null, Range.ANY, "host:port this broker's cluster transport (JGroups TCP) binds; set to run clustered (Skua)");
    static final Property<String> CLUSTER_SEEDS = define(BrokerConfig.CLUSTER_SEEDS, String.class, Parsers::parseString, null, Range.ANY, "host:port list of cluster members to contact when joining (Skua)");
    static final Property<String> CLUSTER_NAME = define(BrokerConfig.CLUSTER_NAME, String.class, Parsers::parseString, "skua", Range.ANY, "name of the cluster; brokers only join members with the same name (Skua)");
    static final Property<Long> REPLICA_LAG = define(BrokerConfig.REPLICA_LAG_TIME_MAX_MS, Long.class, Parsers::parseLong, 30_000L, Range.atLeast(1), "a follower that has not caught up with the leader for this long leaves the ISR");
    static final Property<Boolean> UNCLEAN = define(BrokerConfig.UNCLEAN_LEADER_ELECTION_ENABLE, Boolean.class, Parsers::parseBoolean, false, Range.ANY, "elect a leader outside the ISR when no ISR member is alive (data loss)");
}
