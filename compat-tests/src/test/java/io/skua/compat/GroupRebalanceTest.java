package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.compat.GroupWorker.Stop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Membership churn under continuous production: a member leaves, one crashes (no LeaveGroup, no commit; its
 * session expires), one joins. Every produced record is consumed and committed; only records the crashed member
 * had polled but not committed may be consumed twice.
 */
class GroupRebalanceTest {
    static final int PARTITIONS = 6;

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(classes = {RangeAssignor.class, CooperativeStickyAssignor.class})
    void shouldConsumeEverythingOnceAcrossLeaveCrashAndJoin(Class<?> assignor) throws Exception {
        String topic = "churn";
        String group = "churn-" + assignor.getSimpleName();
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS);
             Admin admin = Admin.create(skua.clientProps())) {
            GroupCommitTest.createTopic(skua, topic, PARTITIONS);
            Properties memberProps = new Properties();
            memberProps.put("group.id", group);
            memberProps.put("partition.assignment.strategy", assignor.getName());
            memberProps.put("session.timeout.ms", "6000");
            memberProps.put("heartbeat.interval.ms", "1000");
            memberProps.put("max.poll.interval.ms", "20000");

            // Given continuous production
            Map<Integer, Long> acked = new ConcurrentHashMap<>();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicReference<Throwable> produceFailure = new AtomicReference<>();
            Thread producerThread = new Thread(() -> produce(skua, topic, producing, acked, produceFailure), "producer");
            producerThread.start();
            // and three members sharing the partitions
            List<GroupWorker> all = new ArrayList<>();
            GroupWorker leaver = start(all, "leaver", skua, topic, memberProps);
            GroupWorker crasher = start(all, "crasher", skua, topic, memberProps);
            GroupWorker stayer = start(all, "stayer", skua, topic, memberProps);
            awaitOwners(List.of(leaver, crasher, stayer));
            GroupWorker.await("every member consumes", Duration.ofSeconds(30),
                    () -> leaver.consumedCount() > 0 && crasher.consumedCount() > 0 && stayer.consumedCount() > 0);

            // When one leaves cleanly
            leaver.stop(Stop.CLOSE);
            awaitOwners(List.of(crasher, stayer));
            long crasherBefore = crasher.consumedCount();
            GroupWorker.await("crasher consumes after the first rebalance", Duration.ofSeconds(30),
                    () -> crasher.consumedCount() > crasherBefore);
            // and one crashes: polled, not committed, gone without a LeaveGroup
            crasher.stop(Stop.CRASH);
            awaitOwners(List.of(stayer)); // after its session (6 s) expires
            // and a new one joins
            GroupWorker joiner = start(all, "joiner", skua, topic, memberProps);
            awaitOwners(List.of(stayer, joiner));
            GroupWorker.await("joiner consumes", Duration.ofSeconds(30), () -> joiner.consumedCount() > 0);

            // Then, once production stops, everything is consumed and committed
            producing.set(false);
            producerThread.join(30_000);
            assertEquals(null, produceFailure.get());
            Map<TopicPartition, Long> ends = new HashMap<>();
            acked.forEach((p, next) -> ends.put(new TopicPartition(topic, p), next));
            GroupWorker.await("all records committed", Duration.ofSeconds(30), () -> committedAll(admin, group, ends));
            stayer.stop(Stop.CLOSE);
            joiner.stop(Stop.CLOSE);
            for (GroupWorker w : all) {
                assertTrue(w.failures.isEmpty(), w.name + " failed: " + w.failures);
            }
            long duplicates = 0;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                TopicPartition tp = e.getKey();
                for (long offset = 0; offset < e.getValue(); offset++) {
                    int times = 0;
                    for (GroupWorker w : all) {
                        times += w.consumed.getOrDefault(tp, Map.of()).getOrDefault(offset, 0);
                    }
                    assertTrue(times >= 1, "record " + tp + "@" + offset + " was never consumed");
                    if (times > 1) {
                        duplicates++;
                        // a duplicate is only allowed for what the crashed member polled but never committed
                        assertTrue(crasher.consumed.getOrDefault(tp, Map.of()).containsKey(offset),
                                "record " + tp + "@" + offset + " consumed " + times + " times, not by the crashed member");
                    }
                }
            }
            long total = ends.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(total > 0);
            // the crash was real: what it polled last was never committed, so its successor read it again
            assertTrue(duplicates > 0, "the crashed member's uncommitted records were not redelivered");
            System.out.printf("assignor=%s produced=%d duplicates=%d%n", assignor.getSimpleName(), total, duplicates);
        }
    }

    private static GroupWorker start(List<GroupWorker> all, String name, EmbeddedSkua skua, String topic,
                                     Properties props) {
        GroupWorker w = new GroupWorker(name, skua, topic, props);
        all.add(w);
        return w;
    }

    /** Waits until exactly {@code owners} hold every partition between them, each at least one, with no overlap. */
    private static void awaitOwners(List<GroupWorker> owners) throws InterruptedException {
        GroupWorker.await("partitions owned by " + owners.stream().map(w -> w.name).toList(), Duration.ofSeconds(40),
                () -> {
                    int sum = 0;
                    for (GroupWorker w : owners) {
                        if (w.assignment.isEmpty()) {
                            return false;
                        }
                        sum += w.assignment.size();
                    }
                    return sum == PARTITIONS && GroupWorker.union(owners).size() == PARTITIONS;
                });
    }

    private static boolean committedAll(Admin admin, String group, Map<TopicPartition, Long> ends) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (c == null || c.offset() < e.getValue()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Sends round-robin over the partitions until told to stop; records the next offset per acknowledged partition. */
    private static void produce(EmbeddedSkua skua, String topic, AtomicBoolean producing, Map<Integer, Long> acked,
                                AtomicReference<Throwable> failure) {
        Properties p = new Properties();
        p.put("linger.ms", "5");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(skua, p)) {
            long seq = 0;
            while (producing.get()) {
                int partition = (int) (seq % PARTITIONS);
                producer.send(new ProducerRecord<>(topic, partition, null, ("r" + seq).getBytes()), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.merge(md.partition(), md.offset() + 1, Math::max);
                    }
                });
                seq++;
                if (seq % 30 == 0) {
                    producer.flush();
                    Thread.sleep(3); // pacing, not waiting: a steady stream of at most ~10k records/s
                }
            }
            producer.flush();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
