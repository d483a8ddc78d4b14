package io.skua.broker.config;

import java.util.function.Function;

/**
 * The definition of one known property: its name, type, parser, default (null: none), allowed range and a one-line
 * description. {@link #parse} turns a given value into the typed one or fails naming the property and the value.
 */
record Property<T>(String name, Class<T> type, Function<String, T> parser, T defaultValue, Range range, String doc) {
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

    /** The numbers a numeric property accepts; {@link #ANY} for the others. */
    record Range(long min, long max, boolean allowMinusOne) {
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
}
