package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RecordShapesTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();

    @Test
    void shouldKeepNullKeysNullValuesAndHeaders() throws Exception {
        List<Header> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(new RecordHeader("h" + i, i % 3 == 0 ? null : ("v" + i).getBytes()));
        }
        try (var producer = Clients.producer(skua, new Properties())) {
            producer.send(new ProducerRecord<>("shapes", 0, null, "no-key".getBytes())).get();
            producer.send(new ProducerRecord<>("shapes", 0, "no-value".getBytes(), null)).get();
            producer.send(new ProducerRecord<byte[], byte[]>("shapes", 0, (byte[]) null, (byte[]) null, List.<Header>of())).get();
            producer.send(new ProducerRecord<>("shapes", 0, "k".getBytes(), new byte[0], many)).get();
        }
        try (var consumer = Clients.consumer(skua, new Properties())) {
            var got = Clients.readAll(consumer, new TopicPartition("shapes", 0), 0, 4);
            assertNull(got.get(0).key());
            assertArrayEquals("no-key".getBytes(), got.get(0).value());
            assertNull(got.get(1).value());
            assertNull(got.get(2).key());
            assertNull(got.get(2).value());
            assertEquals(0, got.get(2).headers().toArray().length);
            Header[] headers = got.get(3).headers().toArray();
            assertEquals(200, headers.length);
            for (int i = 0; i < 200; i++) {
                assertEquals("h" + i, headers[i].key());
                if (i % 3 == 0) {
                    assertNull(headers[i].value());
                } else {
                    assertArrayEquals(("v" + i).getBytes(), headers[i].value());
                }
            }
            assertEquals(0, got.get(3).value().length);
        }
    }

    @Test
    void shouldAcceptOneMebibyteRecordOnlyWhenMaxMessageBytesAllows() throws Exception {
        try (Admin admin = Admin.create(skua.clientProps())) {
            admin.createTopics(List.of(
                    new NewTopic("big-allowed", 1, (short) 1).configs(Map.of("max.message.bytes", "2097152")),
                    new NewTopic("big-default", 1, (short) 1))).all().get();
        }
        byte[] value = new byte[1024 * 1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        Properties p = new Properties();
        p.put("max.request.size", "4194304");
        p.put("compression.type", "none");
        p.put("retries", "0");
        try (var producer = Clients.producer(skua, p)) {
            long offset = producer.send(new ProducerRecord<>("big-allowed", 0, null, value)).get().offset();
            assertEquals(0, offset);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("big-default", 0, null, value)).get());
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
        }
        try (var consumer = Clients.consumer(skua, new Properties())) {
            var got = Clients.readAll(consumer, new TopicPartition("big-allowed", 0), 0, 1);
            assertArrayEquals(value, got.get(0).value());
        }
    }
}
