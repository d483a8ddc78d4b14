package io.skua.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/** Where broker properties come from: a server.properties-style file and {@code key=value} overrides. */
public final class ConfigSources {
    private ConfigSources() {
    }

    /**
     * The properties of a file, values trimmed, in name order.
     *
     * @throws ConfigException when the file cannot be read
     */
    public static Map<String, String> readFile(Path file) {
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
}
