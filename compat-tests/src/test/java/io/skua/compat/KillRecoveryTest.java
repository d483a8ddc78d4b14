package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real bin/skua process killed with SIGKILL mid-production keeps every acknowledged record. */
class KillRecoveryTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldServeEveryAcknowledgedRecordAfterSigkill() throws Exception {
        int port = freePort();
        Process broker = startBroker(port);
        ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        CountDownLatch enough = new CountDownLatch(5_000);
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + port);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("delivery.timeout.ms", "5000");
        p.put("request.timeout.ms", "2000");
        p.put("linger.ms", "1");
        try (var producer = new KafkaProducer<byte[], byte[]>(p)) {
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 2_000_000 && !Thread.currentThread().isInterrupted(); i++) {
                    String v = "v" + i;
                    try {
                        producer.send(new ProducerRecord<>("crash", 0, null, v.getBytes()), (md, e) -> {
                            if (e == null) {
                                acked.add(v);
                                enough.countDown();
                            }
                        });
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            writer.start();
            assertTrue(enough.await(60, TimeUnit.SECONDS), "5,000 records acknowledged before the kill");
            // When the broker dies with SIGKILL mid-production
            broker.destroyForcibly().waitFor();
            writer.interrupt();
            writer.join(30_000);
        }
        Set<String> ackedSet = new HashSet<>(acked);
        // Then after a restart every acknowledged record is served
        Process again = startBroker(port);
        try {
            Properties c = new Properties();
            c.put("bootstrap.servers", "127.0.0.1:" + port);
            c.put("key.deserializer", ByteArrayDeserializer.class.getName());
            c.put("value.deserializer", ByteArrayDeserializer.class.getName());
            try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
                TopicPartition tp = new TopicPartition("crash", 0);
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                assertTrue(end >= ackedSet.size(), "log end " + end + " covers " + ackedSet.size() + " acked");
                Set<String> seen = new HashSet<>();
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long position = 0;
                while (position < end && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(200))) {
                        seen.add(new String(r.value()));
                    }
                    position = consumer.position(tp);
                }
                List<String> missing = new ArrayList<>();
                for (String v : ackedSet) {
                    if (!seen.contains(v)) {
                        missing.add(v);
                    }
                }
                assertEquals(List.of(), missing.subList(0, Math.min(10, missing.size())), missing.size() + " acknowledged records lost");
            }
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process startBroker(int port) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("skua.root", "..")).toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/skua").toString(),
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--override", "log.dirs=" + dataDir)
                .redirectErrorStream(true);
        Process process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        CountDownLatch listening = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.contains("listening on")) {
                        listening.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        assertTrue(listening.await(120, TimeUnit.SECONDS), "bin/skua printed where it listens");
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
