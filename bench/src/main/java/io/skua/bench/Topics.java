package io.skua.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creating the benchmark's topics the same way on every broker and cluster. */
final class Topics {

  /** Creates {@code topics} through {@code bootstrap} and waits until every partition is ready. */
  static void create(String bootstrap, List<NewTopic> topics) throws Exception {
    try (Admin admin = Cluster.admin(bootstrap)) {
      admin.createTopics(topics).all().get(90, TimeUnit.SECONDS);
      awaitLeadersAndFullIsr(
          admin, topics.stream().map(NewTopic::name).toList(), System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    }
  }

  /**
   * Waits until every partition of {@code names} has a leader and all its replicas in the ISR. In a cluster
   * the broker the admin client asks may not know a just-created topic yet (UNKNOWN_TOPIC_OR_PARTITION):
   * that counts as not ready.
   */
  static void awaitLeadersAndFullIsr(Admin admin, List<String> names, long deadlineNanos) throws Exception {
    String notReady = "";
    while (true) {
      try {
        Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        boolean ready = d.values().stream()
            .flatMap(t -> t.partitions().stream())
            .allMatch(Topics::ready);
        if (ready) {
          return;
        }
        notReady = "partitions without a leader or a full ISR";
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        notReady = "not known to every broker";
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IOException("topics " + names + ": " + notReady + " in time");
      }
      Thread.sleep(50);
    }
  }

  private static boolean ready(TopicPartitionInfo p) {
    return p.leader() != null && !p.leader().isEmpty() && p.isr().size() == p.replicas().size();
  }

  private Topics() {}
}
