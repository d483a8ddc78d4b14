package io.skua.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A group member on its own thread: subscribes, polls, records what it consumed, and commits synchronously after
 * each poll and when partitions are revoked (at-least-once, nothing lost on a clean handover). The consumer is
 * touched only by that thread; the test reads the volatile snapshots.
 */
final class GroupWorker implements AutoCloseable {
    /** How a worker stops. */
    enum Stop { CLOSE, CRASH }

    final String name;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Thread thread;
    /** Every (partition, offset) this worker was handed by poll, with how often. */
    final Map<TopicPartition, Map<Long, Integer>> consumed = new ConcurrentHashMap<>();
    final AtomicInteger assignedCallbacks = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    volatile Set<TopicPartition> assignment = Set.of();
    volatile int generation = -1;
    volatile String memberId = "";
    private volatile Stop stop;
    private volatile boolean stopped;

    GroupWorker(String name, EmbeddedSkua skua, String topic, Properties extra) {
        this.name = name;
        this.topic = topic;
        Properties p = new Properties();
        p.put("client.id", name);
        p.put("max.poll.records", "50");
        p.putAll(extra);
        this.consumer = Clients.consumer(skua, p);
        this.thread = new Thread(this::run, "worker-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty() && stop != Stop.CRASH) {
                        consumer.commitSync();
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignedCallbacks.incrementAndGet();
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    // not ours any more: nothing may be committed for them
                }
            });
            while (stop != Stop.CLOSE) {
                int polled = 0;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    consumed.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ConcurrentHashMap<>())
                            .merge(r.offset(), 1, Integer::sum);
                    polled++;
                }
                assignment = Set.copyOf(consumer.assignment());
                generation = consumer.groupMetadata().generationId();
                memberId = consumer.groupMetadata().memberId();
                if (stop == Stop.CRASH && polled > 0) {
                    break; // polled, not committed: the at-least-once window of a crash
                }
                try {
                    consumer.commitSync();
                } catch (RebalanceInProgressException | RetriableCommitFailedException e) {
                    // the next poll completes the rebalance; revoked partitions are committed in the listener
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (Throwable t) {
            failures.add(t);
        } finally {
            if (stop == Stop.CRASH) {
                // no LeaveGroup, no commit, no more heartbeats: the broker only notices when the session expires
                consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                        .withTimeout(Duration.ZERO));
            } else {
                consumer.close();
            }
            stopped = true;
        }
    }

    /** Stops the worker and waits for its consumer to be closed, cleanly or as a crash. */
    void stop(Stop how) throws InterruptedException {
        if (stop == null) {
            stop = how;
        }
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (thread.isAlive()) {
            throw new AssertionError("worker " + name + " did not stop");
        }
    }

    boolean stopped() {
        return stopped;
    }

    long consumedCount() {
        long n = 0;
        for (Map<Long, Integer> m : consumed.values()) {
            n += m.size();
        }
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        stop(Stop.CLOSE);
    }

    /** Waits for {@code condition} (checked every 20 ms), failing with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    static Set<TopicPartition> union(Collection<GroupWorker> workers) {
        List<TopicPartition> all = new ArrayList<>();
        for (GroupWorker w : workers) {
            all.addAll(w.assignment);
        }
        return Set.copyOf(all);
    }
}
