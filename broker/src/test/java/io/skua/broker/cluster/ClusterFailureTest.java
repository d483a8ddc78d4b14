package io.skua.broker.cluster;

import io.skua.broker.SkuaBroker;
import io.skua.protocol.Errors;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.testing.Await;
import io.skua.protocol.message.MetadataResponseData;
import io.skua.protocol.message.MetadataResponseData.MetadataResponsePartition;
import io.skua.protocol.message.MetadataResponseData.MetadataResponseTopic;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.skua.broker.cluster.ClusterTest.alterIsr;
import static io.skua.broker.cluster.ClusterTest.await;
import static io.skua.broker.cluster.ClusterTest.createTopic;
import static io.skua.broker.cluster.ClusterTest.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures that are not a clean shutdown: a killed broker process, and a member cut off from the others. */
class ClusterFailureTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final List<SkuaBroker> brokers = new ArrayList<>();
    private Process child;

    @BeforeAll
    static void quiet() {
        ClusterTest.quiet();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (SkuaBroker b : brokers) {
            await(b.close(), 60);
        }
    }

    @Test
    void shouldElectNewLeadersWhenALeaderProcessIsKilled() throws Exception {
        // Given brokers 1 and 2 in this JVM and broker 3 in a process of its own, and a topic on all three
        Map<Integer, BrokerConfig> configs = TestClusters.configs(dir, 3, "fail", Map.of());
        brokers.add(await(SkuaBroker.start(configs.get(1)), 60));
        brokers.add(await(SkuaBroker.start(configs.get(2)), 60));
        child = startProcess(configs.get(3).originals());
        SkuaBroker b1 = brokers.get(0);
        Await.until("three live brokers", LONG, () -> metadata(b1).brokers().size() == 3);
        assertEquals(Errors.NONE, createTopic(b1, "killed", 3, (short) 3).topics().get(0).errorCode());
        Await.until("leaders known", LONG, () -> {
            MetadataResponseData md = metadata(b1);
            return md.topics().size() == 1 && md.topics().get(0).partitions().stream().allMatch(p -> p.leaderId() > 0);
        });
        MetadataResponseTopic before = metadata(b1).topics().get(0);
        assertTrue(before.partitions().stream().anyMatch(p -> p.leaderId() == 3), "broker 3 leads a partition");

        // When broker 3's process is killed (SIGKILL: no leave message)
        long killed = System.nanoTime();
        child.destroyForcibly();

        // Then within seconds the others notice, and its partitions get new leaders from the ISR, epoch + 1
        Await.until("broker 3 replaced", LONG, () -> brokers.stream().allMatch(b -> {
            MetadataResponseData md = metadata(b);
            return md.brokers().size() == 2 && md.topics().get(0).partitions().stream()
                    .allMatch(p -> p.leaderId() > 0 && p.leaderId() != 3 && p.offlineReplicas().equals(List.of(3)));
        }));
        long ms = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("cluster-failover sigkill-to-new-leaders ms=%d%n", ms);
        MetadataResponseTopic after = metadata(b1).topics().get(0);
        for (int i = 0; i < 3; i++) {
            MetadataResponsePartition b = before.partitions().get(i);
            MetadataResponsePartition a = after.partitions().get(i);
            if (b.leaderId() == 3) {
                assertTrue(a.leaderEpoch() > b.leaderEpoch());
                assertTrue(b.isrNodes().contains(a.leaderId()));
            }
        }
        assertTrue(ms < 15_000, "failover took " + ms + " ms");
    }

    @Test
    void shouldFenceAnIsolatedControllerWhileTheMajorityElectsAnother() throws Exception {
        // Given three brokers in this JVM
        List<io.vertx.core.Future<SkuaBroker>> starting = new ArrayList<>();
        for (BrokerConfig config : TestClusters.configs(dir, 3, "fail", Map.of()).values()) {
            starting.add(SkuaBroker.start(config));
        }
        for (var f : starting) {
            brokers.add(await(f, 60));
        }
        Await.until("three live brokers and a controller", LONG, () -> brokers.stream().allMatch(b -> {
            MetadataResponseData md = metadata(b);
            return md.brokers().size() == 3 && md.controllerId() > 0;
        }));
        assertEquals(Errors.NONE, createTopic(brokers.get(0), "split", 3, (short) 3).topics().get(0).errorCode());
        Await.until("leaders known everywhere", LONG, () -> brokers.stream().allMatch(b -> metadata(b).topics().size() == 1
                && metadata(b).topics().get(0).partitions().stream().allMatch(p -> p.leaderId() > 0)));
        int oldController = metadata(brokers.get(0)).controllerId();
        SkuaBroker isolated = brokers.stream().filter(b -> b.config().nodeId() == oldController).findFirst().orElseThrow();
        List<SkuaBroker> majority = brokers.stream().filter(b -> b != isolated).toList();
        MetadataResponseTopic topic = metadata(isolated).topics().get(0);

        // When the controller is cut off: it neither sends nor receives cluster messages
        JChannel channel = ClusterNode.of(isolated.vertx()).channel();
        DISCARD discard = new DISCARD();
        discard.setAddress(channel.getAddress());
        channel.getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        discard.init();
        discard.start();
        long cut = System.nanoTime();
        discard.discardAll(true);

        // Then the majority elects another controller and moves the isolated broker's leaderships
        Await.until("a controller on the majority side", LONG, () -> majority.stream().allMatch(b -> {
            MetadataResponseData md = metadata(b);
            return md.brokers().size() == 2 && md.controllerId() > 0 && md.controllerId() != oldController
                    && md.topics().get(0).partitions().stream().allMatch(p -> p.leaderId() > 0 && p.leaderId() != oldController);
        }));
        System.out.printf("cluster-split isolated-controller-to-new-controller ms=%d%n", (System.nanoTime() - cut) / 1_000_000);
        // And the isolated one cannot act as controller any more (its DENY_READ_WRITES caches are degraded)
        MetadataResponsePartition p0 = topic.partitions().get(0);
        Await.until("the isolated controller refuses controller requests", LONG, () -> {
            try {
                return alterIsr(isolated, p0.leaderId(), topic, p0, p0.isrNodes(), 0).errorCode() == Errors.NOT_CONTROLLER;
            } catch (java.io.IOException e) {
                return false;
            }
        });

        // When the link heals
        long healed = System.nanoTime();
        discard.discardAll(false);

        // Then the cluster merges and every broker agrees on the majority's controller and leadership
        List<String> last = new ArrayList<>();
        Await.until("merged and agreeing (see the views printed)", LONG, () -> {
            List<String> views = brokers.stream().map(b -> ClusterTest.summary(metadata(b))).distinct().toList();
            if (!views.equals(last)) {
                System.out.printf("cluster-split views after heal: %s%n", views);
            }
            last.clear();
            last.addAll(views);
            return views.size() == 1 && views.get(0).contains("brokers=[1@") && metadata(isolated).brokers().size() == 3
                    && metadata(isolated).controllerId() > 0;
        });
        System.out.printf("cluster-split heal-to-agreement ms=%d views=%s%n", (System.nanoTime() - healed) / 1_000_000, last);
        // And the isolated broker did not lead anything the majority moved away from it
        assertTrue(metadata(isolated).topics().get(0).partitions().stream().noneMatch(p -> p.leaderId() == oldController));
    }

    /** A broker in a JVM of its own (same class path), started like bin/skua; returns once it listens. */
    private static Process startProcess(Map<String, String> properties) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path"),
                "io.skua.broker.Main"));
        properties.forEach((k, v) -> {
            cmd.add("--override");
            cmd.add(k + "=" + v);
        });
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.contains("listening on")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe empty
                        }
                    } catch (java.io.IOException ignored) {
                        // process gone
                    }
                }, "child-broker-output");
                drain.setDaemon(true);
                drain.start();
                return p;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("child broker did not start");
    }
}
