package io.skua.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/** One broker in the image, published on 127.0.0.1, used by real Kafka clients from the host. */
class ContainerRoundTripTest {
    private static GenericContainer<?> broker;
    private static int hostPort;

    /** Skips each test with the reason when there is no engine (a class-level skip would hide the reason). */
    @BeforeEach
    void startBrokerOnce() throws IOException {
        SkuaImage.assumeEngine();
        if (broker != null) {
            return;
        }
        hostPort = freePort();
        broker = new GenericContainer<>(SkuaImage.image())
                .withEnv("SKUA_NODE_ID", "7")
                .withEnv("SKUA_ADVERTISED_LISTENERS", "PLAINTEXT://127.0.0.1:" + hostPort)
                .withEnv("SKUA_CFG_NUM_PARTITIONS", "3")
                .withEnv("SKUA_HEAP_OPTS", "-Xms64m -Xmx256m")
                // The broker must advertise the port the host sees, so the test picks it and binds it itself.
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(new PortBinding(
                        Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), ExposedPort.tcp(9092))))
                .withLogConsumer(SkuaImage.printTo(System.out, "[skua] "))
                .waitingFor(Wait.forLogMessage(".*listening on.*\\n", 1).withStartupTimeout(Duration.ofMinutes(2)));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void shouldRoundTripRecordsThroughThePublishedPort() throws Exception {
        // Given a topic auto-created with SKUA_CFG_NUM_PARTITIONS=3
        String topic = "docker-round-trip";
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(clientProps(
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName(),
                "acks", "all", "delivery.timeout.ms", "60000"))) {
            // When 300 records are produced through the advertised 127.0.0.1:<hostPort>
            for (int i = 0; i < 300; i++) {
                String value = "value-" + i;
                producer.send(new ProducerRecord<>(topic, i % 3, "key-" + i, value)).get();
                sent.add(value);
            }
            List<PartitionInfo> partitions = producer.partitionsFor(topic);
            assertEquals(3, partitions.size(), "num.partitions from SKUA_CFG_NUM_PARTITIONS");
            assertTrue(partitions.stream().allMatch(p -> p.leader().id() == 7), "node.id from SKUA_NODE_ID: " + partitions);
        }

        // Then a consumer reads every one of them back, in order per partition
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(clientProps(
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName(),
                "auto.offset.reset", "earliest", "enable.auto.commit", "false"))) {
            List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    received.add(r.value());
                }
            }
        }
        assertEquals(sent.size(), received.size(), "records read back");
        assertEquals(new java.util.HashSet<>(sent), new java.util.HashSet<>(received));
    }

    @Test
    void shouldPassItsHealthCheck() throws Exception {
        // When the image's HEALTHCHECK command runs inside the container
        ExecResult result = broker.execInContainer("/opt/skua/bin/skua-healthcheck");

        // Then the broker answered ApiVersions
        assertEquals(0, result.getExitCode(), result.getStdout() + result.getStderr());
        assertTrue(result.getStdout().startsWith("ok 127.0.0.1:9092"), result.getStdout());
    }

    @Test
    void shouldRunAsSkuaWithDataInTheVolume() throws Exception {
        // Given the broker has created at least one partition directory
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(clientProps(
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>("docker-volume", 0, null, "v")).get();
        }

        // When we look inside the container
        ExecResult user = broker.execInContainer("id", "-un");
        ExecResult data = broker.execInContainer("ls", "/var/lib/skua");

        // Then the process is not root and the log lives under /var/lib/skua
        assertEquals("skua", user.getStdout().trim());
        assertTrue(data.getStdout().contains("docker-volume-0"), data.getStdout());
    }

    private static Properties clientProps(String... keyValues) {
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + hostPort);
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
