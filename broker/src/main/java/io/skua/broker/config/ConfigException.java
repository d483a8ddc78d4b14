package io.skua.broker.config;

/** Invalid broker configuration; the message names each offending property and value. Startup fails. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    static ConfigException invalid(String name, Object value, String reason) {
        return new ConfigException("Invalid value " + value + " for configuration " + name + ": " + reason);
    }
}
