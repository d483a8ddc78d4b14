package io.skua.compat;

import static io.skua.compat.BrokerProcesses.admin;
import static io.skua.compat.BrokerProcesses.createTopic;
import static io.skua.compat.BrokerProcesses.describe;
import static io.skua.compat.BrokerProcesses.quietly;
import static io.skua.compat.BrokerProcesses.readAll;
import static io.skua.compat.BrokerProcesses.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Split brain with real processes: three bin/skua brokers, a topic with replication factor 3 and
 * min.insync.replicas=2, an idempotent acks=all producer writing unique values throughout, while the partition
 * leader is cut off from the other brokers (twice or three times) until they have elected a new leader and
 * acknowledge again, and then comes back:
 *
 * <ul>
 *   <li>{@link #shouldNotAcknowledgeOnAResumedOldLeaderNorLoseAcknowledgedRecords}: the leader hangs (SIGSTOP) and
 *   resumes (SIGCONT) with acks=all requests already waiting for it;</li>
 *   <li>{@link #shouldNotAcknowledgeOnAnIsolatedLeaderNorLoseAcknowledgedRecords}: each broker runs in a network
 *   namespace of its own; iptables rules cut the leader off from the other brokers while the test's clients still
 *   reach it, then are removed (needs root and iproute2; skipped otherwise).</li>
 * </ul>
 *
 * While it is cut off (network) or from the moment it resumes (SIGSTOP), until it is back in the ISR, acks=all
 * Produce requests go straight to the old leader over a raw connection (no client metadata to redirect them): not
 * one may succeed. The old leader must
 * rejoin, truncate what it alone had, and catch up; every acknowledged value is read back once, in order; nothing
 * sent to the old leader survives; the replicas' logs are identical below the high watermark.
 */
class SplitTest {
    private static final String TOPIC = "split";
    private static final long ROUNDS_BUDGET_MS = 75_000;

    @TempDir
    Path dir;
    private BrokerProcesses brokers;
    private NetworkNamespaces network;

    @AfterEach
    void stopAll() {
        if (brokers != null) {
            brokers.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @AfterAll
    static void deleteNamespaces() {
        NetworkNamespaces.deleteLeftovers();
    }

    /** How the leader is cut off and brought back. */
    private interface Isolation {
        void isolate(int id) throws Exception;

        void heal(int id) throws Exception;

        /** True when requests can be answered while cut off (then they are sent from the start, else from the heal). */
        boolean answersWhileIsolated();
    }

    @Test
    void shouldNotAcknowledgeOnAResumedOldLeaderNorLoseAcknowledgedRecords() throws Exception {
        brokers = new BrokerProcesses(dir, "split", 3);
        scenario("split", 3, new Isolation() {
            @Override
            public void isolate(int id) {
                brokers.pause(id);
            }

            @Override
            public void heal(int id) {
                brokers.resume(id);
            }

            @Override
            public boolean answersWhileIsolated() {
                return false;
            }
        });
    }

    @Test
    void shouldNotAcknowledgeOnAnIsolatedLeaderNorLoseAcknowledgedRecords() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        try {
            network = NetworkNamespaces.create(3);
        } catch (IOException e) {
            assumeTrue(false, "cannot create network namespaces here: " + e.getMessage());
        }
        brokers = new BrokerProcesses(dir, "splitnet", 3);
        for (int id = 1; id <= 3; id++) {
            brokers.host(id, network.address(id)).prefix(id, network.exec(id));
        }
        scenario("splitnet", 2, new Isolation() {
            @Override
            public void isolate(int id) throws Exception {
                network.isolate(id);
            }

            @Override
            public void heal(int id) throws Exception {
                network.heal(id);
            }

            @Override
            public boolean answersWhileIsolated() {
                return true;
            }
        });
    }

    private void scenario(String name, int rounds, Isolation isolation) throws Exception {
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
                for (int round = 1; round <= rounds && msSince(loopStart) < ROUNDS_BUDGET_MS; round++) {
                    long before = producer.count();
                    until("records acknowledged before round " + round, Duration.ofSeconds(60),
                            () -> producer.count() >= before + 1_000);
                    int leader = describe(admin, TOPIC).leader().id();
                    // The others' view, asked of them directly: an Admin client may ask the cut-off leader, which the
                    // test's side still reaches and which still names itself leader.
                    List<Integer> others = brokers.running().stream().filter(id -> id != leader).sorted().toList();
                    DirectProducer direct = null;
                    try {
                        // When the leader is cut off from the other brokers
                        long cut = System.nanoTime();
                        isolation.isolate(leader);
                        if (isolation.answersWhileIsolated()) {
                            direct = new DirectProducer(brokers.host(leader), brokers.listenPort(leader), TOPIC, 0,
                                    name + round);
                        }
                        until("a new leader elected by the others", Duration.ofSeconds(60), () -> others.stream()
                                .map(this::partitionSeenBy).anyMatch(p -> p != null && p.leaderId() > 0 && p.leaderId() != leader));
                        long newLeaderMs = msSince(cut);
                        long atNewLeader = producer.count();
                        until("acknowledgements resume on the new leader", Duration.ofSeconds(60),
                                () -> producer.count() > atNewLeader + 100);
                        long acksResumedMs = msSince(cut);
                        long resumedAt = producer.count();
                        until("production continues on the new leader", Duration.ofSeconds(60),
                                () -> producer.count() > resumedAt + 500);
                        Map<String, Integer> whileCut = Map.of();
                        if (direct == null) {
                            // acks=all requests wait for the old leader on a raw connection
                            direct = new DirectProducer(brokers.host(leader), brokers.listenPort(leader), TOPIC, 0,
                                    name + round);
                            assertTrue(direct.firstSent.await(10, TimeUnit.SECONDS), "a request waits for the old leader");
                        } else {
                            DirectProducer d = direct;
                            until("the isolated leader answered", Duration.ofSeconds(30),
                                    () -> d.answers().keySet().stream().anyMatch(ISOLATED_ANSWERS::contains));
                            whileCut = direct.answers();
                        }
                        // And comes back
                        long healed = System.nanoTime();
                        isolation.heal(leader);
                        // Then it rejoins the ISR, and until then (and a little after) it acknowledges nothing
                        until("the old leader back in the ISR", Duration.ofSeconds(60), () -> others.stream()
                                .map(this::partitionSeenBy).anyMatch(p -> p != null && p.isrNodes().contains(leader)));
                        long backInIsrMs = msSince(healed);
                        DirectProducer d = direct;
                        until("the old leader answers as a follower", Duration.ofSeconds(30),
                                () -> d.answers().containsKey(Errors.NOT_LEADER_OR_FOLLOWER.name()));
                        direct.close();
                        probed.addAll(direct.values());
                        String line = String.format("round=%d leader=%d new-leader-seen ms=%d acks-resumed ms=%d"
                                        + " healed->refuses-as-follower ms=%d healed->back-in-isr ms=%d answers-while-cut=%s"
                                        + " direct-answers=%s", round, leader, newLeaderMs, acksResumedMs,
                                direct.firstNotLeaderMs(healed), backInIsrMs, whileCut, direct.answers());
                        report.add(line);
                        System.out.println(name + " " + line);
                        assertEquals(0, direct.acknowledged(),
                                "the old leader acknowledged acks=all writes: " + direct.answers());
                        assertTrue(direct.answers().values().stream().mapToInt(Integer::intValue).sum() > 1,
                                "the old leader was asked more than once: " + direct.answers());
                    } finally {
                        if (direct != null) {
                            direct.close();
                        }
                    }
                    until("a full ISR again", Duration.ofSeconds(60),
                            () -> quietly(() -> describe(admin, TOPIC).isr().size() == 3));
                }
            }
            assertTrue(report.size() >= 2, "at least two rounds, got " + report.size());

            // And every acknowledged value is read exactly once, in acknowledgement order; nothing sent to the old
            // leader survives (it was never acknowledged and the old leader truncated it)
            List<String> log = readAll(bootstrap, TOPIC);
            producer.assertReadBackOnceInOrder(log);
            Set<String> zombies = Set.copyOf(probed);
            List<String> survivors = log.stream().filter(zombies::contains).toList();
            assertEquals(List.of(), survivors, "records written to the old leader are in the log");
            until("all three replicas in the ISR before the clean stop", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin, TOPIC).isr().size() == 3));
        }
        // And the replicas' logs are identical below the high watermark
        brokers.stopAllCleanly();
        long[] identical = brokers.assertIdenticalBelowHighWatermark(TOPIC);
        System.out.printf("%s acked=%d identical-below-hw=%d bytes=%d test ms=%d%n", name, producer.count(),
                identical[0], identical[1], msSince(testStart));
        report.forEach(l -> System.out.println(name + " " + l));
    }

    /** What an isolated leader may answer to acks=all: it cannot reach the ISR, nothing else. */
    private static final Set<String> ISOLATED_ANSWERS = Set.of(Errors.REQUEST_TIMED_OUT.name(),
            Errors.NOT_ENOUGH_REPLICAS.name(), Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.name());

    /** Partition 0 of TOPIC as broker {@code id} describes it in a Metadata answer; null when it does not answer. */
    private MetadataResponseData.MetadataResponsePartition partitionSeenBy(int id) {
        return brokers.partitionSeenBy(id, TOPIC, 0);
    }

    private static long msSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
