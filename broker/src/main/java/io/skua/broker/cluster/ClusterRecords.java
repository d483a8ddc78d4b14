package io.skua.broker.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skua.broker.config.Endpoint;
import io.skua.broker.config.SecurityProtocol;
import java.util.List;
import java.util.Map;

/**
 * What the metadata caches hold (read and written only by {@link MetadataStore}). Values are stored as JSON strings:
 * Infinispan replicates strings without any marshaller setup, and the records stay readable in a heap dump or a
 * debugger.
 */
public final class ClusterRecords {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Key of the controller record in {@link MetadataStore#PARTITIONS_CACHE}. */
    public static final String CONTROLLER_KEY = "controller";

    private ClusterRecords() {
    }

    /**
     * A live (or once live) broker: its JGroups member name, the endpoints it advertises, and its broker epoch, which
     * is higher after every restart (KIP-380): AlterPartition names the epochs of the replicas it adds to an ISR, and
     * the controller refuses a stale one (a replica that restarted since the leader saw it fetch).
     */
    public record BrokerRecord(int nodeId, String member, List<EndpointRecord> endpoints, long epoch) {
    }

    public record EndpointRecord(String listener, String protocol, String host, int port) {
        static EndpointRecord of(Endpoint e) {
            return new EndpointRecord(e.listenerName(), e.securityProtocol().name(), e.host(), e.port());
        }

        Endpoint toEndpoint() {
            return new Endpoint(listener, SecurityProtocol.valueOf(protocol), host, port);
        }
    }

    /** A topic: id, configs, and per partition its replicas (the first is the preferred leader). */
    public record TopicRecord(String name, String id, Map<String, String> configs, List<List<Integer>> replicas) {
        public int partitionCount() {
            return replicas.size();
        }
    }

    /**
     * Leadership of one partition, written only by the controller.
     *
     * @param leader          the leader's node id, or -1 when no ISR member is alive
     * @param leaderEpoch     bumped by every leader change
     * @param isr             in-sync replicas
     * @param partitionEpoch  bumped by every change (leader or ISR); AlterPartition requests name the one they saw
     * @param controllerEpoch the epoch of the controller that wrote this record
     */
    public record PartitionRecord(int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch,
                                  int controllerEpoch) {
    }

    /**
     * The controller: node id, member name, its epoch (only ever increases) and how many times it has renewed the
     * record (its lease: the others see it change every few seconds while the controller can write).
     */
    public record ControllerRecord(int nodeId, String member, int epoch, long renewals) {
        public ControllerRecord renewed() {
            return new ControllerRecord(nodeId, member, epoch, renewals + 1);
        }
    }

    public static String partitionKey(String topic, int partition) {
        return topic + "/" + partition;
    }

    public static String toJson(Object record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + record, e);
        }
    }

    public static <T> T fromJson(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot decode " + type.getSimpleName() + ": " + json, e);
        }
    }
}
