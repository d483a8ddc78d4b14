package io.skua.broker;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.ConfigSources;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Arguments of {@code bin/skua}, compatible with {@code kafka-server-start.sh}: an optional properties file
 * (positional or {@code -c/--config}) and any number of {@code --override key=value}.
 */
record CommandLine(Optional<Path> configFile, Map<String, String> overrides, boolean help) {

    static final String USAGE = """
            Usage: skua [options] [server.properties]

            Starts a Skua broker (Kafka wire protocol). Without a file, Kafka's defaults apply with
            listeners=PLAINTEXT://localhost:9092 and log.dirs=./data (relative to the current directory).

            Options:
              -c, --config FILE          read broker properties from FILE (Kafka server.properties format)
              --override KEY=VALUE       set a property, after the file; repeatable
              -h, --help                 print this help and exit

            Environment: SKUA_LOG_LEVEL=ERROR|WARN|INFO|DEBUG|TRACE (default INFO), JAVA_HOME, JAVA_OPTS,
            SKUA_HEAP_OPTS, SKUA_MVN_OPTS (bin/skua only).
            """;

    static CommandLine parse(String... args) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "-c", "--config" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException(arg + " needs a file");
                    }
                    file = setFile(file, args[++i]);
                }
                case "--override" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--override needs key=value");
                    }
                    put(overrides, args[++i]);
                }
                default -> {
                    if (arg.startsWith("--override=")) {
                        put(overrides, arg.substring("--override=".length()));
                    } else if (arg.startsWith("--config=")) {
                        file = setFile(file, arg.substring("--config=".length()));
                    } else if (arg.startsWith("-")) {
                        throw new UsageException("unknown option " + arg);
                    } else {
                        file = setFile(file, arg);
                    }
                }
            }
        }
        return new CommandLine(Optional.ofNullable(file), Collections.unmodifiableMap(overrides), help);
    }

    BrokerConfig toConfig() {
        return BrokerConfig.load(configFile.orElse(null), overrides);
    }

    private static Path setFile(Path current, String value) {
        if (current != null) {
            throw new UsageException("only one properties file may be given");
        }
        return Path.of(value);
    }

    private static void put(Map<String, String> overrides, String keyValue) {
        try {
            Map.Entry<String, String> e = ConfigSources.parseOverride(keyValue);
            overrides.put(e.getKey(), e.getValue());
        } catch (RuntimeException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
