package io.skua.protocol.record;

/**
 * Which clock a batch's timestamps come from: bit 3 of its attributes. Kafka's topic config
 * {@code message.timestamp.type} uses the names {@link #configName()} returns.
 */
public enum TimestampType {
    /** Set by the producer. */
    CREATE_TIME("CreateTime"),
    /** Set by the broker on append: every record of the batch has the batch's max timestamp. */
    LOG_APPEND_TIME("LogAppendTime");

    private final String configName;

    TimestampType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** @throws IllegalArgumentException if {@code name} is neither {@code CreateTime} nor {@code LogAppendTime} */
    public static TimestampType forConfigName(String name) {
        for (TimestampType t : values()) {
            if (t.configName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown timestamp type " + name);
    }
}
