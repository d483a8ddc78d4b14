package io.skua.broker.cluster;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;

/**
 * One broker's membership in the cluster: a JGroups channel (TCP + {@link SeedDiscovery}, a TCPPING, from
 * {@code cluster.bind} and {@code cluster.seeds}, stack in {@code skua-jgroups.xml}), the Infinispan cache manager on
 * it with Skua's metadata caches ({@link MetadataStore}), and the (not clustered) Vert.x instance the broker runs on.
 *
 * <p>Each start gets a new JGroups node name ({@code b<node.id>-<start millis>-<random>}): after a fast restart
 * under the same name, peers kept talking to the dead incarnation for ~20 s (CLUSTER-NOTES).
 *
 * <p>Start and stop block (seconds: discovery, state transfer); both run on a thread of their own, never on
 * an event loop.
 */
public final class ClusterNode {
    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

    static final String STACK = "skua-jgroups.xml";
    /** How long a joining node waits for answers from the seeds before it forms a cluster on its own. */
    static final int JOIN_TIMEOUT_MS = 2000;

    /** Vert.x instance -> the node it was started with ({@link #startVertx}); removed by {@link #stop()}. */
    private static final Map<Vertx, ClusterNode> NODES = new ConcurrentHashMap<>();

    private final String name;
    private final JChannel channel;
    private final DefaultCacheManager cacheManager;

    private ClusterNode(String name, JChannel channel, DefaultCacheManager cacheManager) {
        this.name = name;
        this.channel = channel;
        this.cacheManager = cacheManager;
    }

    /**
     * Joins the cluster and starts a clustered Vert.x instance on it. The returned Vert.x leaves the cluster when
     * closed; {@link #of(Vertx)} finds this node again, and {@link #stop()} must follow the Vert.x close.
     */
    public static Future<Vertx> startVertx(BrokerConfig config, VertxOptions options) {
        Promise<ClusterNode> joined = Promise.promise();
        Thread starter = new Thread(() -> {
            try {
                joined.complete(join(config));
            } catch (Throwable t) {
                joined.fail(t);
            }
        }, "skua-cluster-join");
        starter.setDaemon(true);
        starter.start();
        // Vert.x itself is not clustered: Skua sends no control traffic over the event bus and keeps no state in
        // Vert.x's cluster-wide maps (docs/cluster.md). A clustered Vert.x on this cache manager cost a start step
        // of its own (its cluster manager's join, HA info, the event-bus server) and four more clustered caches
        // (distributed-cache, __vertx.subs, __vertx.haInfo, __vertx.nodeInfo), each a topology join with the
        // coordinator and a rebalance per joining member, before the broker could listen.
        return joined.future().map(node -> {
            try {
                Vertx vertx = Vertx.builder().with(options).build();
                NODES.put(vertx, node);
                return vertx;
            } catch (RuntimeException e) {
                node.stopQuietly();
                throw e;
            }
        });
    }

    /** The node a Vert.x instance started by {@link #startVertx} runs with. */
    public static ClusterNode of(Vertx vertx) {
        ClusterNode node = NODES.get(vertx);
        if (node == null) {
            throw new IllegalStateException("cluster.bind is set but this Vert.x instance was not started by ClusterNode.startVertx");
        }
        return node;
    }

    /** Blocking: builds the channel and the cache manager and joins (waits up to the join timeout for peers). */
    static ClusterNode join(BrokerConfig config) throws Exception {
        long started = System.nanoTime();
        String name = "b" + config.nodeId() + "-" + System.currentTimeMillis() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000));
        JChannel channel = new JChannel(stack(config.clusterBind(), config.clusterSeeds()));
        channel.setName(name);
        long channelReady = System.nanoTime();
        DefaultCacheManager cm = null;
        try {
            GlobalConfigurationBuilder global = new GlobalConfigurationBuilder();
            global.cacheManagerName(name);
            global.jmx().enabled(false);
            global.transport()
                    .clusterName(config.clusterName())
                    .nodeName(name)
                    .transport(new JGroupsTransport(channel));
            cm = new DefaultCacheManager(global.build(), false);
            defineCaches(cm);
            long managerBuilt = System.nanoTime();
            cm.start();
            // Start the metadata caches now: the broker is ready only once their state has arrived.
            MetadataStore.startCaches(cm);
            long now = System.nanoTime();
            // The stages, for start-up analysis (docs/cluster.md, "Forming a cluster"): the channel (stack parsing),
            // the cache manager (built, not started), and connect + caches (discovery, join, cache topologies).
            LOG.log(Level.INFO, "cluster joined node={0} name={1} members={2} bind={3} ms={4} channelMs={5} "
                            + "cacheManagerMs={6} connectMs={7}", config.nodeId(), name, cm.getMembers().size(),
                    config.clusterBind(), (now - started) / 1_000_000, (channelReady - started) / 1_000_000,
                    (managerBuilt - channelReady) / 1_000_000, (now - managerBuilt) / 1_000_000);
            return new ClusterNode(name, channel, cm);
        } catch (Exception | Error e) {
            if (cm != null) {
                cm.stop();
            }
            channel.close();
            throw e;
        }
    }

    private static void defineCaches(DefaultCacheManager cm) {
        // Only Skua's metadata caches: the store defines (and alone uses) them. The caches Vert.x's cluster manager
        // needs are not defined any more (Vert.x is not clustered, see startVertx): the cache manager starts every
        // defined cache in cm.start(), so each of them was joined and rebalanced during the broker's start.
        MetadataStore.defineCaches(cm);
    }

    /** The stack XML with this broker's bind address, port and initial hosts filled in. */
    static InputStream stack(HostPort bind, java.util.List<HostPort> seeds) throws IOException {
        String xml;
        try (InputStream in = ClusterNode.class.getClassLoader().getResourceAsStream(STACK)) {
            if (in == null) {
                throw new IOException(STACK + " is not on the class path");
            }
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Set<HostPort> hosts = new LinkedHashSet<>(seeds);
        hosts.add(bind);
        String initialHosts = hosts.stream().map(h -> h.host() + "[" + h.port() + "]").collect(Collectors.joining(","));
        xml = xml.replace("${skua.bind_addr}", bind.host())
                .replace("${skua.bind_port}", String.valueOf(bind.port()))
                .replace("${skua.initial_hosts}", initialHosts)
                .replace("${skua.join_timeout}", String.valueOf(JOIN_TIMEOUT_MS));
        return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    /** The JGroups channel (tests insert a DISCARD protocol into it to cut a member off). */
    public JChannel channel() {
        return channel;
    }

    public EmbeddedCacheManager cacheManager() {
        return cacheManager;
    }

    /** Blocking: leaves the cluster (peers see a new view at once) and closes the channel. */
    public void stop() {
        NODES.values().remove(this);
        cacheManager.stop();
        channel.close();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster stop failed name={0}: {1}", name, e.toString());
        }
    }
}
