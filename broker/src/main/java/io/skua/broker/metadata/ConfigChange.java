package io.skua.broker.metadata;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A change of one topic's config overrides: AlterConfigs replaces them all, IncrementalAlterConfigs edits some.
 * Clustered, the controller applies it to the topic as the cluster holds it at that moment, so two concurrent
 * incremental changes of different keys both stay.
 */
public sealed interface ConfigChange {
    byte SET = 0;
    byte DELETE = 1;
    byte APPEND = 2;
    byte SUBTRACT = 3;

    /**
     * The overrides after this change.
     *
     * @param brokerValue the broker-level value of a config (APPEND / SUBTRACT start from it when the topic has none)
     * @throws ApiException INVALID_CONFIG / INVALID_REQUEST for an unknown name or a bad operation
     */
    Map<String, String> applyTo(Map<String, String> current, UnaryOperator<String> brokerValue);

    /** AlterConfigs: the overrides become exactly {@code configs}. */
    record Replace(Map<String, String> configs) implements ConfigChange {
        public Replace {
            configs = Collections.unmodifiableMap(new LinkedHashMap<>(configs)); // null values are refused later
        }

        @Override
        public Map<String, String> applyTo(Map<String, String> current, UnaryOperator<String> brokerValue) {
            return configs;
        }
    }

    /** One IncrementalAlterConfigs operation ({@link #SET}, {@link #DELETE}, {@link #APPEND}, {@link #SUBTRACT}). */
    record Op(String name, byte operation, String value) {
    }

    /** IncrementalAlterConfigs: each operation in order, from the current overrides. */
    record Edit(List<Op> ops) implements ConfigChange {
        public Edit {
            ops = List.copyOf(ops);
        }

        @Override
        public Map<String, String> applyTo(Map<String, String> current, UnaryOperator<String> brokerValue) {
            Map<String, String> configs = new LinkedHashMap<>(current);
            for (Op c : ops) {
                apply(configs, c, brokerValue);
            }
            return configs;
        }

        private static void apply(Map<String, String> configs, Op c, UnaryOperator<String> brokerValue) {
            TopicConfigs.Def def = TopicConfigs.def(c.name());
            if (def == null) {
                throw new ApiException(Errors.INVALID_CONFIG, "Unknown topic config name: " + c.name());
            }
            switch (c.operation()) {
                case SET -> {
                    if (c.value() == null) {
                        throw new ApiException(Errors.INVALID_REQUEST, "Null value not supported for: " + c.name());
                    }
                    configs.put(c.name(), c.value());
                }
                case DELETE -> configs.remove(c.name());
                case APPEND, SUBTRACT -> {
                    if (def.type() != TopicConfigs.LIST) {
                        throw new ApiException(Errors.INVALID_CONFIG, "Config value " + (c.operation() == APPEND
                                ? "append" : "subtract") + " is not allowed for config key: " + c.name());
                    }
                    String now = configs.containsKey(c.name()) ? configs.get(c.name()) : brokerValue.apply(c.name());
                    Set<String> items = split(now);
                    Set<String> change = split(c.value());
                    if (c.operation() == APPEND) {
                        items.addAll(change);
                    } else {
                        items.removeAll(change);
                    }
                    configs.put(c.name(), String.join(",", items));
                }
                default -> throw new ApiException(Errors.INVALID_REQUEST,
                        "Unknown config operation " + c.operation() + " for " + c.name());
            }
        }

        private static Set<String> split(String list) {
            Set<String> items = new LinkedHashSet<>();
            if (list != null) {
                for (String item : list.split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.trim());
                    }
                }
            }
            return items;
        }
    }
}
