package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An idempotent acks=all producer that writes unique values ({@code v0, v1, ...}) to one partition of a topic (0
 * unless told) on a thread of its own, as fast as the broker takes them, and keeps the acknowledged values in
 * acknowledgement order, each with the time ({@link System#nanoTime()}) its acknowledgement arrived.
 */
final class AckedProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> ackNanos = new ConcurrentLinkedQueue<>();
    private final AtomicLong ackCount = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final Thread writer;

    AckedProducer(String bootstrap, String topic) {
        this(bootstrap, topic, 0);
    }

    AckedProducer(String bootstrap, String topic, int partition) {
        Properties pp = new Properties();
        pp.put("bootstrap.servers", bootstrap);
        pp.put("key.serializer", ByteArraySerializer.class.getName());
        pp.put("value.serializer", ByteArraySerializer.class.getName());
        pp.put("acks", "all");
        pp.put("enable.idempotence", "true");
        pp.put("max.in.flight.requests.per.connection", "5");
        pp.put("delivery.timeout.ms", "120000");
        pp.put("request.timeout.ms", "5000");
        pp.put("retry.backoff.ms", "100");
        pp.put("linger.ms", "2");
        producer = new KafkaProducer<>(pp);
        writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                String v = "v" + i;
                try {
                    producer.send(new ProducerRecord<>(topic, partition, null, v.getBytes()), (md, e) -> {
                        if (e == null) {
                            acked.add(v);
                            ackNanos.add(System.nanoTime());
                            ackCount.incrementAndGet();
                        }
                    });
                    if (i % 20 == 0) {
                        Thread.sleep(2);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    return;
                }
            }
        }, "acked-producer-" + topic + "-" + partition);
        writer.start();
    }

    /** How many values were acknowledged so far. */
    long count() {
        return ackCount.get();
    }

    /** The acknowledged values in acknowledgement order (complete after {@link #close()}). */
    List<String> acked() {
        return new ArrayList<>(acked);
    }

    /** When each acknowledgement arrived ({@link System#nanoTime()}), in order. */
    List<Long> ackNanos() {
        return new ArrayList<>(ackNanos);
    }

    /**
     * Asserts that {@code log} (a partition's values from its start) holds every acknowledged value exactly once, in
     * acknowledgement order, and no value twice. Call after {@link #close()}.
     */
    void assertReadBackOnceInOrder(List<String> log) {
        List<String> ackedInOrder = acked();
        Set<String> ackedSet = new HashSet<>(ackedInOrder);
        assertEquals(log.size(), new HashSet<>(log).size(), "no value twice in the log");
        List<String> ackedInLog = log.stream().filter(ackedSet::contains).toList();
        assertEquals(ackedInOrder.size(), ackedInLog.size(), "every acknowledged value in the log");
        assertEquals(ackedInOrder, ackedInLog, "acknowledgement order");
    }

    /** Stops writing, waits for every outstanding send to be answered, closes the producer. */
    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        writer.join(30_000);
        producer.flush();
        producer.close();
    }
}
