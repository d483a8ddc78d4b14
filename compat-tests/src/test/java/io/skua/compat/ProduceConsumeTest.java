package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProduceConsumeTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();

    @Test
    void shouldReadBackEveryRecordOfAnIdempotentProducerInOrderPerPartition() throws Exception {
        // Given a 3-partition topic created with the admin client
        try (Admin admin = Admin.create(skua.clientProps())) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
        }
        // When a default (idempotent, acks=all) producer sends 100,000 keyed records with headers
        int count = 100_000;
        Map<Integer, List<Sent>> sentByPartition = new HashMap<>();
        try (var producer = Clients.producer(skua, new Properties())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] key = ("key-" + (i % 1000)).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("value-" + i).getBytes(StandardCharsets.UTF_8);
                List<Header> headers = List.of(new RecordHeader("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
                acks.add(producer.send(new ProducerRecord<>("orders", null, key, value, headers)));
            }
            for (int i = 0; i < count; i++) {
                RecordMetadata md = acks.get(i).get();
                sentByPartition.computeIfAbsent(md.partition(), p -> new ArrayList<>())
                        .add(new Sent(md.offset(), "key-" + (i % 1000), "value-" + i, Integer.toString(i)));
            }
        }
        // Then a consumer with assign/seek reads exactly that back, in order per partition
        assertEquals(3, sentByPartition.size(), "keys spread over all partitions");
        try (var consumer = Clients.consumer(skua, new Properties())) {
            for (var entry : sentByPartition.entrySet()) {
                TopicPartition tp = new TopicPartition("orders", entry.getKey());
                List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(consumer, tp, 0, entry.getValue().size());
                List<Sent> expected = entry.getValue();
                for (int i = 0; i < expected.size(); i++) {
                    Sent want = expected.get(i);
                    ConsumerRecord<byte[], byte[]> r = got.get(i);
                    assertEquals(want.offset, r.offset());
                    assertEquals(want.key, new String(r.key(), StandardCharsets.UTF_8));
                    assertEquals(want.value, new String(r.value(), StandardCharsets.UTF_8));
                    assertArrayEquals(want.seq.getBytes(StandardCharsets.UTF_8), r.headers().lastHeader("seq").value());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldRoundTripEachCompressionType(String compression) throws Exception {
        String topic = "compressed-" + compression;
        Properties p = new Properties();
        p.put("compression.type", compression);
        int count = 5_000;
        try (var producer = Clients.producer(skua, p)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, ("k" + i).getBytes(), ("v" + i).repeat(3).getBytes()));
            }
            producer.flush();
        }
        try (var consumer = Clients.consumer(skua, new Properties())) {
            var got = Clients.readAll(consumer, new TopicPartition(topic, 0), 0, count);
            for (int i = 0; i < count; i++) {
                assertEquals(i, got.get(i).offset());
                assertEquals("v" + i + "v" + i + "v" + i, new String(got.get(i).value()));
            }
        }
    }

    private record Sent(long offset, String key, String value, String seq) {}
}
