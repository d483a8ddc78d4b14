package io.skua.broker.metadata;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's topic configs: name, the broker property that sets its default, type and Kafka's default. Skua
 * accepts every one of them (clients and tools set them freely) and honours those storage implements.
 */
public final class TopicConfigs {
    /** DescribeConfigs config types. */
    public static final byte BOOLEAN = 1;
    public static final byte STRING = 2;
    public static final byte INT = 3;
    public static final byte SHORT = 4;
    public static final byte LONG = 5;
    public static final byte DOUBLE = 6;
    public static final byte LIST = 7;

    public record Def(String name, String brokerSynonym, byte type, String kafkaDefault) {
    }

    private static final Map<String, Def> DEFS = new LinkedHashMap<>();

    static {
        def("cleanup.policy", "log.cleanup.policy", LIST, "delete");
        def("compression.type", "compression.type", STRING, "producer");
        def("compression.gzip.level", "compression.gzip.level", INT, "-1");
        def("compression.lz4.level", "compression.lz4.level", INT, "9");
        def("compression.zstd.level", "compression.zstd.level", INT, "3");
        def("delete.retention.ms", "log.cleaner.delete.retention.ms", LONG, "86400000");
        def("file.delete.delay.ms", "log.segment.delete.delay.ms", LONG, "60000");
        def("flush.messages", "log.flush.interval.messages", LONG, "9223372036854775807");
        def("flush.ms", "log.flush.interval.ms", LONG, "9223372036854775807");
        def("follower.replication.throttled.replicas", "follower.replication.throttled.replicas", LIST, "");
        def("index.interval.bytes", "log.index.interval.bytes", INT, "4096");
        def("leader.replication.throttled.replicas", "leader.replication.throttled.replicas", LIST, "");
        def("local.retention.bytes", "log.local.retention.bytes", LONG, "-2");
        def("local.retention.ms", "log.local.retention.ms", LONG, "-2");
        def("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", LONG, "9223372036854775807");
        def("max.message.bytes", "message.max.bytes", INT, "1048588");
        def("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", LONG, "3600000");
        def("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", LONG, "9223372036854775807");
        def("message.timestamp.type", "log.message.timestamp.type", STRING, "CreateTime");
        def("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", DOUBLE, "0.5");
        def("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", LONG, "0");
        def("min.insync.replicas", "min.insync.replicas", INT, "1");
        def("preallocate", "log.preallocate", BOOLEAN, "false");
        def("remote.storage.enable", "remote.log.storage.enable", BOOLEAN, "false");
        def("retention.bytes", "log.retention.bytes", LONG, "-1");
        def("retention.ms", "log.retention.ms", LONG, "604800000");
        def("segment.bytes", "log.segment.bytes", INT, "1073741824");
        def("segment.index.bytes", "log.index.size.max.bytes", INT, "10485760");
        def("segment.jitter.ms", "log.roll.jitter.ms", LONG, "0");
        def("segment.ms", "log.roll.ms", LONG, "604800000");
        def("unclean.leader.election.enable", "unclean.leader.election.enable", BOOLEAN, "false");
    }

    /** Broker properties that also set a topic config's default, in Kafka's order of precedence. */
    private static final Map<String, List<String>> EXTRA_SYNONYMS = Map.of(
            "retention.ms", List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"),
            "segment.ms", List.of("log.roll.ms", "log.roll.hours"));

    private static final Set<String> COMPRESSION_TYPES = Set.of("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");

    private TopicConfigs() {}

    /** The broker properties that set {@code name}'s default, highest precedence first. */
    public static List<String> brokerSynonyms(String name) {
        List<String> extra = EXTRA_SYNONYMS.get(name);
        return extra != null ? extra : List.of(DEFS.get(name).brokerSynonym());
    }

    /**
     * Checks a value against the config's type (storage validates the ranges of what it implements).
     *
     * @throws ApiException INVALID_CONFIG naming the property
     */
    public static void validate(String name, String value) {
        Def def = DEFS.get(name);
        if (def == null) {
            throw new ApiException(Errors.INVALID_CONFIG, "Unknown topic config name: " + name);
        }
        if (value == null) {
            throw new ApiException(Errors.INVALID_CONFIG, "Null value not supported for topic config: " + name);
        }
        String v = value.trim();
        try {
            switch (def.type()) {
                case INT -> Integer.parseInt(v);
                case LONG -> Long.parseLong(v);
                case DOUBLE -> Double.parseDouble(v);
                case BOOLEAN -> {
                    String b = v.toLowerCase(Locale.ROOT);
                    if (!b.equals("true") && !b.equals("false")) {
                        throw new IllegalArgumentException("expected true or false");
                    }
                }
                default -> {
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ApiException(Errors.INVALID_CONFIG, "Invalid value " + value + " for configuration " + name
                    + ": " + (e instanceof NumberFormatException ? "not a number of type " + typeName(def.type()) : e.getMessage()));
        }
        if (name.equals("compression.type") && !COMPRESSION_TYPES.contains(v)) {
            throw new ApiException(Errors.INVALID_CONFIG, "Invalid value " + value + " for configuration " + name
                    + ": String must be one of: " + String.join(", ", COMPRESSION_TYPES));
        }
    }

    private static String typeName(byte type) {
        return switch (type) {
            case INT -> "INT";
            case LONG -> "LONG";
            case DOUBLE -> "DOUBLE";
            default -> "STRING";
        };
    }

    private static void def(String name, String synonym, byte type, String kafkaDefault) {
        DEFS.put(name, new Def(name, synonym, type, kafkaDefault));
    }

    public static boolean isKnown(String name) {
        return DEFS.containsKey(name);
    }

    public static Def def(String name) {
        return DEFS.get(name);
    }

    public static Iterable<Def> all() {
        return DEFS.values();
    }
}
