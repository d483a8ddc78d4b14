package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A Kafka Streams word count (at_least_once) end to end, with its repartition and changelog topics. */
class StreamsWordCountTest {
    @TempDir
    Path stateDir;

    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "3"));

    @Test
    void shouldCountWordsThroughRepartitionAndChangelogTopics() throws Exception {
        try (Admin admin = Admin.create(skua.clientProps())) {
            admin.createTopics(List.of(new NewTopic("sentences", 2, (short) 1), new NewTopic("word-counts", 2, (short) 1)))
                    .all().get();
        }
        List<String> sentences = List.of("the quick brown fox", "jumps over the lazy dog", "the dog barks",
                "a fox is quick", "the end");
        Map<String, Long> expected = new HashMap<>();
        for (String s : sentences) {
            for (String w : s.split(" ")) {
                expected.merge(w, 1L, Long::sum);
            }
        }

        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream("sentences")
                .flatMapValues(v -> Arrays.asList(v.split(" ")))
                .groupBy((k, word) -> word)
                .count()
                .toStream()
                .to("word-counts", Produced.with(Serdes.String(), Serdes.Long()));
        Properties p = skua.clientProps();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "wordcount");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
            streams.start();
            Properties pp = new Properties();
            pp.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
            pp.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
            pp.put("bootstrap.servers", skua.bootstrap());
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(pp)) {
                for (int i = 0; i < sentences.size(); i++) {
                    producer.send(new ProducerRecord<>("sentences", "s" + i, sentences.get(i)));
                }
            }
            Properties cp = skua.clientProps();
            cp.put("group.id", "word-count-reader");
            cp.put("auto.offset.reset", "earliest");
            cp.put("key.deserializer", StringDeserializer.class.getName());
            cp.put("value.deserializer", LongDeserializer.class.getName());
            Map<String, Long> latest = new HashMap<>();
            try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(cp)) {
                consumer.subscribe(List.of("word-counts"));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (!latest.equals(expected) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
                        latest.put(r.key(), r.value());
                    }
                }
            }
            assertEquals(expected, latest);
        }
        try (Admin admin = Admin.create(skua.clientProps())) {
            var names = admin.listTopics().names().get();
            assertEquals(true, names.stream().anyMatch(n -> n.startsWith("wordcount-") && n.endsWith("-repartition")), names.toString());
            assertEquals(true, names.stream().anyMatch(n -> n.startsWith("wordcount-") && n.endsWith("-changelog")), names.toString());
        }
    }
}
