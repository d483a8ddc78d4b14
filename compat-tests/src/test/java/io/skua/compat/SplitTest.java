package io.skua.compat;

import static io.skua.compat.BrokerProcesses.admin;
import static io.skua.compat.BrokerProcesses.createTopic;
import static io.skua.compat.BrokerProcesses.describe;
import static io.skua.compat.BrokerProcesses.quietly;
import static io.skua.compat.BrokerProcesses.readAll;
import static io.skua.compat.BrokerProcesses.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Split brain with real processes: three bin/skua brokers, a topic with replication factor 3 and
 * min.insync.replicas=2, an idempotent acks=all producer writing unique values throughout.
 *
 * <p>The partition leader is frozen with SIGSTOP until the others have evicted it, elected a new leader and
 * acknowledge again, then resumed with SIGCONT. From the moment it resumes, acks=all Produce requests go straight to
 * the old leader over a raw connection (no client metadata to redirect them): not one may succeed. The old leader
 * must rejoin, truncate what it alone had, and catch up; every acknowledged value is read back once, in order; the
 * replicas' logs are identical below the high watermark.
 */
class SplitTest {
    private static final String TOPIC = "split";
    private static final int STOPS = 3;
    private static final long STOP_BUDGET_MS = 75_000;

    @TempDir
    Path dir;
    private BrokerProcesses brokers;

    @BeforeEach
    void ports() throws IOException {
        brokers = new BrokerProcesses(dir, "split", 3);
    }

    @AfterEach
    void stopAll() {
        brokers.close();
    }

    @Test
    void shouldNotAcknowledgeOnAResumedOldLeaderNorLoseAcknowledgedRecords() throws Exception {
        long testStart = System.nanoTime();
        String bootstrap = brokers.startAll();
        List<String> report = new ArrayList<>();
        List<String> probed = new ArrayList<>();
        AckedProducer producer;
        try (Admin admin = admin(bootstrap)) {
            createTopic(admin, TOPIC, 1, 3);
            until("a leader and a full ISR", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin, TOPIC).leader() != null && describe(admin, TOPIC).isr().size() == 3));
            producer = new AckedProducer(bootstrap, TOPIC);
            try (producer) {
                long loopStart = System.nanoTime();
                for (int stop = 1; stop <= STOPS && msSince(loopStart) < STOP_BUDGET_MS; stop++) {
                    long before = producer.count();
                    until("records acknowledged before stop " + stop, Duration.ofSeconds(60),
                            () -> producer.count() >= before + 1_000);
                    int leader = describe(admin, TOPIC).leader().id();
                    String others = brokers.running().stream().filter(id -> id != leader).sorted()
                            .map(id -> brokers.host(id) + ":" + brokers.listenPort(id)).collect(Collectors.joining(","));
                    try (Admin majority = admin(others)) {
                        // When the leader hangs (SIGSTOP: its sockets stay open, it answers nothing)
                        long paused = System.nanoTime();
                        brokers.pause(leader);
                        until("the paused leader evicted and a new leader elected", Duration.ofSeconds(60),
                                () -> quietly(() -> {
                                    TopicPartitionInfo now = describe(majority, TOPIC);
                                    return now.leader() != null && now.leader().id() != leader;
                                }));
                        long newLeaderMs = msSince(paused);
                        long atNewLeader = producer.count();
                        until("acknowledgements resume on the new leader", Duration.ofSeconds(60),
                                () -> producer.count() > atNewLeader + 100);
                        long acksResumedMs = msSince(paused);
                        long resumedAt = producer.count();
                        until("production continues on the new leader", Duration.ofSeconds(60),
                                () -> producer.count() > resumedAt + 500);

                        // And resumes (SIGCONT), with acks=all requests already waiting on a raw connection to it
                        DirectProducer direct = new DirectProducer(brokers.host(leader), brokers.listenPort(leader),
                                "zombie-" + stop);
                        try (direct) {
                            assertTrue(direct.firstSent.await(10, TimeUnit.SECONDS), "a request waits for the old leader");
                            long continued = System.nanoTime();
                            brokers.resume(leader);
                            // Then it rejoins the ISR, and until then (and a little after) it acknowledges nothing
                            until("the old leader back in the ISR", Duration.ofSeconds(60),
                                    () -> quietly(() -> describe(majority, TOPIC).isr().stream().anyMatch(n -> n.id() == leader)));
                            long backInIsrMs = msSince(continued);
                            until("the old leader answers as a follower", Duration.ofSeconds(30),
                                    () -> direct.answers().containsKey(Errors.NOT_LEADER_OR_FOLLOWER.name()));
                            direct.close();
                            probed.addAll(direct.values());
                            String line = String.format("stop=%d leader=%d new-leader-seen ms=%d acks-resumed ms=%d"
                                            + " resumed->refuses-as-follower ms=%d resumed->back-in-isr ms=%d direct-answers=%s",
                                    stop, leader, newLeaderMs, acksResumedMs, direct.firstNotLeaderMs(continued),
                                    backInIsrMs, direct.answers());
                            report.add(line);
                            System.out.println("split " + line);
                            assertEquals(0, direct.acknowledged(),
                                    "the resumed old leader acknowledged acks=all writes: " + direct.answers());
                            assertTrue(direct.answers().values().stream().mapToInt(Integer::intValue).sum() > 1,
                                    "the old leader was asked more than once: " + direct.answers());
                        }
                    }
                    until("a full ISR again", Duration.ofSeconds(60),
                            () -> quietly(() -> describe(admin, TOPIC).isr().size() == 3));
                }
            }
            assertTrue(report.size() >= 2, "at least two stops, got " + report.size());

            // And every acknowledged value is read exactly once, in acknowledgement order; nothing sent to the old
            // leader after it resumed survives (it was never acknowledged and the old leader truncated it)
            List<String> log = readAll(bootstrap, TOPIC);
            producer.assertReadBackOnceInOrder(log);
            Set<String> zombies = Set.copyOf(probed);
            List<String> survivors = log.stream().filter(zombies::contains).toList();
            assertEquals(List.of(), survivors, "records written to the resumed old leader are in the log");
            until("all three replicas in the ISR before the clean stop", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin, TOPIC).isr().size() == 3));
        }
        // And the replicas' logs are identical below the high watermark
        brokers.stopAllCleanly();
        long[] identical = brokers.assertIdenticalBelowHighWatermark(TOPIC);
        System.out.printf("split acked=%d identical-below-hw=%d bytes=%d test ms=%d%n", producer.count(), identical[0],
                identical[1], msSince(testStart));
        report.forEach(l -> System.out.println("split " + l));
    }

    private static long msSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /**
     * Sends acks=all Produce requests (v12, one record each, not idempotent) straight to one broker, one after the
     * other on a plain socket, and counts the answers by error name ("timeout" when none came in time, "io" when the
     * connection failed). Values are {@code <tag>-<n>}.
     */
    private static final class DirectProducer implements AutoCloseable {
        private static final int REQUEST_TIMEOUT_MS = 2_000;
        private final String host;
        private final int port;
        private final String tag;
        private final Map<String, Integer> answers = new TreeMap<>();
        private final List<String> values = new ArrayList<>();
        private final CountDownLatch firstSent = new CountDownLatch(1);
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long firstNotLeaderNanos;
        private int acknowledged;

        DirectProducer(String host, int port, String tag) {
            this.host = host;
            this.port = port;
            this.tag = tag;
            thread = new Thread(this::run, "direct-producer-" + tag);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            int n = 0;
            while (running) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), 3_000);
                    RawKafka raw = new RawKafka(socket);
                    socket.setSoTimeout(REQUEST_TIMEOUT_MS + 8_000);
                    while (running) {
                        String value = tag + "-" + n++;
                        synchronized (this) {
                            values.add(value);
                        }
                        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1)
                                .setTimeoutMs(REQUEST_TIMEOUT_MS);
                        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(TOPIC);
                        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                                MemoryRecords.withRecords(Compression.NONE,
                                        new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)))));
                        data.topicData().add(t);
                        firstSent.countDown();
                        ProduceResponse response;
                        try {
                            response = raw.send(new ProduceRequest(data, (short) 12));
                        } catch (SocketTimeoutException e) {
                            count("timeout");
                            break; // the answer may still come: a new connection keeps request and answer paired
                        }
                        short code = response.data().responses().iterator().next().partitionResponses().get(0).errorCode();
                        Errors error = Errors.forCode(code);
                        if (error == Errors.NOT_LEADER_OR_FOLLOWER && firstNotLeaderNanos == 0) {
                            firstNotLeaderNanos = System.nanoTime();
                        }
                        synchronized (this) {
                            if (error == Errors.NONE) {
                                acknowledged++;
                            }
                        }
                        count(error.name());
                        if (error == Errors.NOT_LEADER_OR_FOLLOWER) {
                            Thread.sleep(50); // answered at once: do not spin
                        }
                    }
                } catch (IOException e) {
                    count("io");
                    firstSent.countDown();
                    pause();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private synchronized void count(String outcome) {
            answers.merge(outcome, 1, Integer::sum);
        }

        synchronized Map<String, Integer> answers() {
            return new TreeMap<>(answers);
        }

        synchronized int acknowledged() {
            return acknowledged;
        }

        synchronized List<String> values() {
            return new ArrayList<>(values);
        }

        /** Milliseconds from {@code since} to the first NOT_LEADER_OR_FOLLOWER answer, -1 if none came. */
        long firstNotLeaderMs(long since) {
            long first = firstNotLeaderNanos;
            return first == 0 ? -1 : (first - since) / 1_000_000;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(15_000);
        }
    }
}
