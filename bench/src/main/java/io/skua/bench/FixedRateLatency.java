package io.skua.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Open-loop (fixed-rate) end-to-end latency driver. Runs as its own JVM.
 *
 * <p>A producer thread sends at a fixed schedule (record i is due at {@code t0 + i / rate}); a
 * consumer thread in the same JVM reads the topic. Each payload carries the <em>scheduled</em> send
 * time (System.nanoTime) and a sequence number, so latency = receive time - scheduled time. Using
 * the scheduled rather than the actual send time means a stalled producer (full buffer, slow
 * broker) shows up in the latency instead of silently lowering the offered rate (no coordinated
 * omission). Records in the first {@code --warmup-seconds} are not counted.
 *
 * <p>Prints one line {@code RESULT key=value ...} that bench/run parses.
 */
public final class FixedRateLatency {

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parseArgs(args);
    String bootstrap = require(a, "bootstrap-server");
    String topic = require(a, "topic");
    int rate = Integer.parseInt(a.getOrDefault("rate", "20000"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
    int warmupSeconds = Integer.parseInt(a.getOrDefault("warmup-seconds", "2"));
    int recordSize = Math.max(16, Integer.parseInt(a.getOrDefault("record-size", "100")));
    String acks = a.getOrDefault("acks", "1");

    final int total = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * (seconds + warmupSeconds));
    final int warmup = (int) ((long) rate * warmupSeconds);
    final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;

    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    cp.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
    cp.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");

    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.ACKS_CONFIG, acks);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, a.getOrDefault("linger-ms", "0"));
    pp.put(ProducerConfig.BATCH_SIZE_CONFIG, a.getOrDefault("batch-size", "65536"));
    if ("all".equals(acks)) {
      pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    } else {
      pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    }

    long[] latNs = new long[total];
    Arrays.fill(latNs, -1L);
    AtomicLong received = new AtomicLong();
    AtomicLong sendErrors = new AtomicLong();
    // Set by the producer side once everything is sent: the consumer stops at this nanoTime.
    // (Not Thread.interrupt(): KafkaConsumer.poll turns an interrupt into an exception.)
    AtomicLong drainDeadline = new AtomicLong(Long.MAX_VALUE);
    TopicPartition tp = new TopicPartition(topic, 0);

    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp); // resolve the end offset now, before anything is produced
      producer.partitionsFor(topic); // fetch metadata before the clock starts

      Thread consumerThread =
          new Thread(
              () -> {
                while (received.get() < total && System.nanoTime() < drainDeadline.get()) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    ByteBuffer b = ByteBuffer.wrap(r.value());
                    long scheduled = b.getLong();
                    int seq = b.getInt();
                    if (seq >= 0 && seq < total && latNs[seq] < 0) {
                      latNs[seq] = now - scheduled;
                      received.incrementAndGet();
                    }
                  }
                }
              },
              "latency-consumer");
      consumerThread.start();

      long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      for (int i = 0; i < total; i++) {
        long due = t0 + i * intervalNs;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          // Sleep rather than spin: the broker under test shares this machine's cores. Oversleeping
          // is harmless for the measurement since latency is taken from the scheduled time; records
          // that fell due meanwhile are sent back to back.
          LockSupport.parkNanos(wait);
        }
        byte[] payload = new byte[recordSize];
        ByteBuffer.wrap(payload).putLong(due).putInt(i);
        producer.send(
            new ProducerRecord<>(topic, 0, null, payload),
            (md, ex) -> {
              if (ex != null) {
                sendErrors.incrementAndGet();
              }
            });
      }
      long sendEnd = System.nanoTime();
      producer.flush();
      // Tell the consumer the producer is done; it then has 30 s to drain stragglers.
      drainDeadline.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
      consumerThread.join();
      double achievedRate = total / ((sendEnd - t0) / 1e9);

      long[] measured = new long[total - warmup];
      int n = 0;
      for (int i = warmup; i < total; i++) {
        if (latNs[i] >= 0) {
          measured[n++] = latNs[i];
        }
      }
      if (a.containsKey("dump")) {
        // One line per measured record in send order: its latency in ns, or -1 if it never arrived.
        try (java.io.PrintWriter w = new java.io.PrintWriter(a.get("dump"), java.nio.charset.StandardCharsets.UTF_8)) {
          for (int i = warmup; i < total; i++) {
            w.println(latNs[i]);
          }
        }
      }
      long[] sorted = Arrays.copyOf(measured, n);
      Arrays.sort(sorted);
      StringBuilder out = new StringBuilder("RESULT");
      out.append(" sent=").append(total);
      out.append(" received=").append(received.get());
      out.append(" measured=").append(n);
      out.append(" lost=").append((total - warmup) - n);
      out.append(" send_errors=").append(sendErrors.get());
      out.append(String.format(" target_rate=%d achieved_rate=%.1f", rate, achievedRate));
      out.append(String.format(" p50_ms=%.3f", pct(sorted, 0.50)));
      out.append(String.format(" p99_ms=%.3f", pct(sorted, 0.99)));
      out.append(String.format(" p999_ms=%.3f", pct(sorted, 0.999)));
      out.append(String.format(" max_ms=%.3f", n == 0 ? Double.NaN : sorted[n - 1] / 1e6));
      // How the clients batched against this broker: a broker that answers sooner gets smaller, more
      // frequent requests for the same records, and pays per request.
      out.append(String.format(" produce_requests=%.0f fetches=%.0f",
          metric(producer.metrics(), "producer-metrics", "request-total"),
          metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-total")));
      System.out.println(out);
      System.out.flush();
    }
    // Threads of the clients may linger; this is a one-shot tool.
    System.exit(0);
  }

  /** The value of a client metric without tags beyond client-id, or NaN when the client has none of that name. */
  static double metric(java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics,
                       String group, String name) {
    for (var e : metrics.entrySet()) {
      if (e.getKey().group().equals(group) && e.getKey().name().equals(name)
          && e.getKey().tags().keySet().equals(java.util.Set.of("client-id"))) {
        Object v = e.getValue().metricValue();
        return v instanceof Number num ? num.doubleValue() : Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** Nearest-rank percentile, in milliseconds. */
  static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(q * sorted.length) - 1;
    idx = Math.max(0, Math.min(sorted.length - 1, idx));
    return sorted[idx] / 1e6;
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + args[i]);
      }
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }

  static String require(Map<String, String> m, String k) {
    String v = m.get(k);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + k);
    }
    return v;
  }

  private FixedRateLatency() {}
}
