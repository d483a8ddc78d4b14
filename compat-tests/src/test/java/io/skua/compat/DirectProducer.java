package io.skua.compat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Sends acks=all Produce requests (v12, one record each, not idempotent) straight to one broker, one after the
 * other on a plain socket, and counts the answers by error name ("timeout" when none came in time, "io" when the
 * connection failed). Values are {@code <tag>-<n>}; they go to {@code topic}-{@code partition}.
 */
final class DirectProducer implements AutoCloseable {
    private static final int REQUEST_TIMEOUT_MS = 2_000;
    private final String host;
    private final int port;
    private final String topic;
    private final int partition;
    private final String tag;
    private final Map<String, Integer> answers = new TreeMap<>();
    private final List<String> values = new ArrayList<>();
    final CountDownLatch firstSent = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long firstNotLeaderNanos;
    private int acknowledged;

    DirectProducer(String host, int port, String topic, int partition, String tag) {
        this.host = host;
        this.port = port;
        this.topic = topic;
        this.partition = partition;
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
                    ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(topic);
                    t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(
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
