package io.skua.storage.log;

import io.skua.protocol.Uuid;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException;
import io.skua.storage.TopicMetadata;
import io.skua.storage.file.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Owns a data directory: the topics stored in it and one {@link PartitionLog} per partition.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code <dataDir>/topics/<topic>.properties}: Java properties {@code name}, {@code id} (base64 topic id),
 *       {@code partitions}, and {@code config.<kafka config name>} per override; replaced atomically
 *       (temp file, fsync, rename, directory fsync);</li>
 *   <li>{@code <dataDir>/<topic>-<partition>/}: each partition's log (see {@link PartitionLog});</li>
 *   <li>{@code <dataDir>/<topic>-<partition>.<topicId>-delete/}: a deleted partition being removed.</li>
 * </ul>
 *
 * <h2>Crash behaviour</h2>
 * The metadata file is the commit point. Creating a topic or adding partitions creates the partition directories
 * first, then writes the metadata; deleting a topic deletes the metadata first, then the directories. On open,
 * partition directories that no metadata file claims and {@code -delete} directories are removed, so a crash in
 * between leaves either the old or the new state.
 *
 * <h2>Thread-safety</h2>
 * Topic changes ({@link #createTopic}, {@link #deleteTopic}, {@link #addPartitions}, {@link #updateConfigs}) are
 * serialised by this object's lock; lookups ({@link #topic}, {@link #topics}, {@link #log}) are lock-free and may run
 * on any thread. Each returned {@link PartitionLog} keeps its own single-writer rule.
 */
public final class LogManager implements Closeable {
    static final String TOPICS_DIR = "topics";
    private static final String SUFFIX = ".properties";
    private static final String DELETE_SUFFIX = "-delete";
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d+)");
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final Path dataDir;
    private final LogConfig defaults;
    private final LongSupplier clock;
    private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();
    private final Map<String, List<PartitionLog>> logs = new ConcurrentHashMap<>();

    private LogManager(Path dataDir, LogConfig defaults, LongSupplier clock) {
        this.dataDir = dataDir;
        this.defaults = defaults;
        this.clock = clock;
    }

    /**
     * Opens every topic stored in {@code dataDir} (creating the directory if needed), recovering partition logs
     * that were not closed cleanly, and removes leftovers of interrupted topic changes.
     *
     * @param defaults the broker's log defaults, which each topic's overrides refine
     */
    public static LogManager open(Path dataDir, LogConfig defaults, LongSupplier clock) {
        LogManager manager = new LogManager(dataDir, defaults, clock);
        try {
            manager.load();
        } catch (IOException e) {
            manager.close();
            throw StorageException.io("Cannot open data directory " + dataDir, e);
        }
        return manager;
    }

    private void load() throws IOException {
        Files.createDirectories(dataDir.resolve(TOPICS_DIR));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir.resolve(TOPICS_DIR))) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(DurableFiles.TMP_SUFFIX)) {
                    Files.delete(f);
                } else if (name.endsWith(SUFFIX)) {
                    TopicMetadata topic = readTopic(f);
                    topics.put(topic.name(), topic);
                }
            }
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                Matcher m = PARTITION_DIR.matcher(name);
                if (name.endsWith(DELETE_SUFFIX)) {
                    deleteRecursively(d);
                } else if (m.matches() && m.group(2).length() < 10) {
                    TopicMetadata topic = topics.get(m.group(1));
                    if (topic == null || Integer.parseInt(m.group(2)) >= topic.partitionCount()) {
                        deleteRecursively(d); // created or deleted by an interrupted topic change
                    }
                }
            }
        }
        for (TopicMetadata topic : topics.values()) {
            List<PartitionLog> partitions = new ArrayList<>();
            for (int p = 0; p < topic.partitionCount(); p++) {
                partitions.add(PartitionLog.open(partitionDir(topic.name(), p), configFor(topic), clock));
            }
            logs.put(topic.name(), List.copyOf(partitions));
        }
    }

    /**
     * Creates a topic with {@code partitions} empty partitions.
     *
     * @throws IllegalArgumentException if the name is illegal or taken, the count is not positive, or a config
     *                                  value is invalid (the message names the property)
     */
    public synchronized TopicMetadata createTopic(String name, Uuid id, int partitions, Map<String, String> configs) {
        if (!LEGAL_TOPIC.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("Illegal topic name " + name);
        }
        if (topics.containsKey(name)) {
            throw new IllegalArgumentException("Topic " + name + " already exists");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("Partition count must be positive, not " + partitions);
        }
        TopicMetadata topic = new TopicMetadata(name, id, partitions, configs);
        LogConfig config = configFor(topic);
        List<PartitionLog> created = new ArrayList<>();
        try {
            for (int p = 0; p < partitions; p++) {
                created.add(PartitionLog.open(partitionDir(name, p), config, clock));
            }
            writeTopic(topic);
        } catch (IOException | RuntimeException e) {
            created.forEach(PartitionLog::close);
            throw e instanceof IOException io ? StorageException.io("Cannot create topic " + name, io)
                    : (RuntimeException) e;
        }
        logs.put(name, List.copyOf(created));
        topics.put(name, topic);
        return topic;
    }

    /** Grows a topic to {@code newCount} partitions. */
    public synchronized TopicMetadata addPartitions(String name, int newCount) {
        TopicMetadata old = require(name);
        if (newCount <= old.partitionCount()) {
            throw new IllegalArgumentException("Topic " + name + " already has " + old.partitionCount()
                    + " partitions");
        }
        TopicMetadata topic = new TopicMetadata(name, old.id(), newCount, old.configs());
        List<PartitionLog> partitions = new ArrayList<>(logs.get(name));
        try {
            for (int p = old.partitionCount(); p < newCount; p++) {
                partitions.add(PartitionLog.open(partitionDir(name, p), configFor(topic), clock));
            }
            writeTopic(topic);
        } catch (IOException e) {
            partitions.subList(old.partitionCount(), partitions.size()).forEach(PartitionLog::close);
            throw StorageException.io("Cannot add partitions to " + name, e);
        }
        logs.put(name, List.copyOf(partitions));
        topics.put(name, topic);
        return topic;
    }

    /**
     * Replaces a topic's config overrides and applies them to its open logs. The caller must ensure no writer is
     * using the config concurrently in a way that matters (configs are swapped atomically per log).
     */
    public synchronized TopicMetadata updateConfigs(String name, Map<String, String> configs) {
        TopicMetadata old = require(name);
        TopicMetadata topic = new TopicMetadata(name, old.id(), old.partitionCount(), configs);
        LogConfig config = configFor(topic);
        try {
            writeTopic(topic);
        } catch (IOException e) {
            throw StorageException.io("Cannot update configs of " + name, e);
        }
        topics.put(name, topic);
        logs.get(name).forEach(log -> log.updateConfig(config));
        return topic;
    }

    /**
     * Deletes a topic and all its data. The caller must stop the partitions' writers and readers first: the logs
     * are closed and their directories removed before this returns.
     */
    public synchronized void deleteTopic(String name) {
        TopicMetadata topic = require(name);
        try {
            Files.delete(topicFile(name));
            DurableFiles.fsyncDirectory(dataDir.resolve(TOPICS_DIR));
            topics.remove(name);
            List<PartitionLog> partitions = logs.remove(name);
            for (int p = 0; p < partitions.size(); p++) {
                partitions.get(p).close();
                Path dir = partitionDir(name, p);
                Path doomed = dir.resolveSibling(dir.getFileName() + "." + topic.id() + DELETE_SUFFIX);
                Files.move(dir, doomed);
                deleteRecursively(doomed);
            }
        } catch (IOException e) {
            throw StorageException.io("Cannot delete topic " + name, e);
        }
    }

    public Optional<TopicMetadata> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Collection<TopicMetadata> topics() {
        return List.copyOf(topics.values());
    }

    public Optional<PartitionLog> log(String topic, int partition) {
        List<PartitionLog> partitions = logs.get(topic);
        return partitions == null || partition < 0 || partition >= partitions.size()
                ? Optional.empty() : Optional.of(partitions.get(partition));
    }

    /** The config a topic's logs use: the broker defaults with the topic's overrides. */
    public LogConfig configFor(TopicMetadata topic) {
        return defaults.withOverrides(topic.configs());
    }

    /** Closes every log cleanly (see {@link PartitionLog#close()}); the first failure is rethrown after trying all. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (List<PartitionLog> partitions : logs.values()) {
            for (PartitionLog log : partitions) {
                try {
                    log.close();
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
        }
        logs.clear();
        if (first != null) {
            throw first;
        }
    }

    private TopicMetadata require(String name) {
        TopicMetadata topic = topics.get(name);
        if (topic == null) {
            throw new IllegalArgumentException("Unknown topic " + name);
        }
        return topic;
    }

    private Path partitionDir(String topic, int partition) {
        return dataDir.resolve(topic + "-" + partition);
    }

    private Path topicFile(String name) {
        return dataDir.resolve(TOPICS_DIR).resolve(name + SUFFIX);
    }

    private void writeTopic(TopicMetadata topic) throws IOException {
        Map<String, String> values = new TreeMap<>();
        values.put("name", topic.name());
        values.put("id", topic.id().toString());
        values.put("partitions", Integer.toString(topic.partitionCount()));
        topic.configs().forEach((k, v) -> values.put("config." + k, v));
        DurableFiles.writeProperties(topicFile(topic.name()), values, "skua topic");
    }

    private static TopicMetadata readTopic(Path file) throws IOException {
        Map<String, String> values = DurableFiles.readProperties(file);
        Map<String, String> configs = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("config.")) {
                configs.put(k.substring("config.".length()), v);
            }
        });
        try {
            return new TopicMetadata(values.get("name"), Uuid.fromString(values.get("id")),
                    Integer.parseInt(values.get("partitions")), configs);
        } catch (RuntimeException e) {
            throw new IOException("Corrupt topic metadata " + file + ": " + e, e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
