package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.metadata.BrokerTopicDefaults;
import io.skua.broker.metadata.ConfigChange;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiException;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Errors;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.AlterConfigsRequestData;
import io.skua.protocol.message.AlterConfigsResponseData;
import io.skua.protocol.message.CreatePartitionsRequestData;
import io.skua.protocol.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import io.skua.protocol.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import io.skua.protocol.message.CreatePartitionsResponseData;
import io.skua.protocol.message.CreateTopicsRequestData;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.skua.protocol.message.CreateTopicsResponseData;
import io.skua.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import io.skua.protocol.message.DeleteTopicsRequestData;
import io.skua.protocol.message.DeleteTopicsRequestData.DeleteTopicState;
import io.skua.protocol.message.DeleteTopicsResponseData;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData;
import io.skua.protocol.message.IncrementalAlterConfigsResponseData;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * Topic admin of a clustered broker: each request is checked against this broker's copy of the topic
 * ({@link TopicManager}), then made by the controller ({@link Controller}, reached through
 * {@link ControllerForwarding}: here on the controller, else as the same Kafka request sent to it), and answered once
 * this broker's copy reflects it (at most {@link #LOCAL_SYNC_TIMEOUT_MS}; {@link ClusteredView} syncs the copy from the
 * metadata), so a Metadata or DescribeConfigs request right after sees it.
 */
public final class ClusteredTopicService implements TopicService {
    /** How long a topic change waits for this broker's copy of the topic to reflect it before answering anyway. */
    static final long LOCAL_SYNC_TIMEOUT_MS = 10_000;
    /** The timeout forwarded requests carry (the controller does not wait on it). */
    private static final int FORWARDED_TIMEOUT_MS = 30_000;
    private static final byte TOPIC_RESOURCE = 2;

    private final TopicManager topics;
    private final ClusterMetadata metadata;
    private final Controller controller;
    private final ControllerForwarding forwarding;
    private final BrokerTopicDefaults defaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;

    public ClusteredTopicService(TopicManager topics, ClusterMetadata metadata, Controller controller,
                                 ControllerClient controllerClient, BrokerTopicDefaults defaults, int defaultPartitions,
                                 short defaultReplicationFactor) {
        this.topics = topics;
        this.metadata = metadata;
        this.controller = controller;
        this.forwarding = new ControllerForwarding(controller, controllerClient);
        this.defaults = defaults;
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
    }

    /**
     * Checked here (name, counts, configs); the controller checks the replication factor against the live brokers and
     * whether the topic exists (this broker may still be dropping a deleted topic of that name).
     */
    @Override
    public Future<TopicMetadata> createTopic(String name, int partitionCount, short replicationFactor,
                                             Map<String, String> configs, boolean validateOnly) {
        int count = partitionCount == -1 ? defaultPartitions : partitionCount;
        short rf = replicationFactor == -1 ? defaultReplicationFactor : replicationFactor;
        return checked(() -> {
            TopicManager.validateNew(name, count, rf);
            topics.validateConfigs(configs);
            return null;
        }).compose(x -> forwarding.run(ApiKey.CREATE_TOPICS, createTopicsRequest(name, count, rf, configs, validateOnly),
                () -> controller.createTopic(name, count, rf, configs, validateOnly).map(ClusteredView::toMetadata),
                (CreateTopicsResponseData response) -> {
                    CreatableTopicResult r = response.topics().get(0);
                    ControllerForwarding.check(r.errorCode(), r.errorMessage());
                    return new TopicMetadata(name, validateOnly ? Uuid.randomUuid() : r.topicId(), r.numPartitions(),
                            configs);
                })).compose(created -> validateOnly ? Future.succeededFuture(created) : awaitPublished(created));
    }

    /** Every broker then drops its copy ({@link TopicManager#syncTopic}); answered once this broker's is gone. */
    @Override
    public Future<Void> deleteTopic(String name, Uuid id) {
        if (topics.topic(name) == null) {
            return Future.failedFuture(new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition."));
        }
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(FORWARDED_TIMEOUT_MS);
        request.topics().add(id == null ? new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO)
                : new DeleteTopicState().setName(null).setTopicId(id));
        return forwarding.run(ApiKey.DELETE_TOPICS, request, () -> controller.deleteTopic(name, id).<Void>mapEmpty(),
                (DeleteTopicsResponseData response) -> ControllerForwarding.check(
                        response.responses().iterator().next().errorCode(),
                        response.responses().iterator().next().errorMessage()))
                .compose(x -> awaitSynced(name));
    }

    /** The controller checks {@code assignments} against the registered brokers and the topic's replication factor. */
    @Override
    public Future<TopicMetadata> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                                  boolean validateOnly) {
        Future<TopicMetadata> local = checked(() -> {
            TopicMetadata topic = existing(name);
            if (newCount <= topic.partitionCount()) {
                throw new ApiException(Errors.INVALID_PARTITIONS, "Topic currently has " + topic.partitionCount()
                        + " partitions, which is higher than the requested " + newCount + ".");
            }
            return topic;
        });
        CreatePartitionsTopic topic = new CreatePartitionsTopic().setName(name).setCount(newCount)
                .setAssignments(assignments == null ? null : assignments.stream().map(a ->
                        new CreatePartitionsAssignment().setBrokerIds(a)).toList());
        CreatePartitionsRequestData request = new CreatePartitionsRequestData().setTimeoutMs(FORWARDED_TIMEOUT_MS)
                .setValidateOnly(validateOnly);
        request.topics().add(topic);
        return local.compose(x -> forwarding.run(ApiKey.CREATE_PARTITIONS, request,
                () -> controller.createPartitions(name, newCount, assignments, validateOnly).<Void>mapEmpty(),
                (CreatePartitionsResponseData response) -> ControllerForwarding.check(
                        response.results().get(0).errorCode(), response.results().get(0).errorMessage())))
                .compose(x -> validateOnly ? Future.<Void>succeededFuture() : awaitSynced(name))
                .map(v -> current(name, local.result()));
    }

    /**
     * Validated here against this broker's copy; the controller applies the change to the topic as the cluster holds
     * it (APPEND / SUBTRACT from the broker defaults) and every broker applies the result to its open logs.
     */
    @Override
    public Future<TopicMetadata> alterConfigs(String name, ConfigChange change, UnaryOperator<String> brokerValue,
                                              boolean validateOnly) {
        Future<TopicMetadata> local = checked(() -> {
            TopicMetadata topic = existing(name);
            topics.validateConfigs(change.applyTo(topic.configs(), brokerValue));
            return topic;
        });
        Future<Void> onController = local.compose(x -> change instanceof ConfigChange.Replace replace
                ? forwarding.run(ApiKey.ALTER_CONFIGS, alterConfigsRequest(name, replace, validateOnly),
                        () -> alterOnController(name, change, validateOnly),
                        (AlterConfigsResponseData response) -> ControllerForwarding.check(
                                response.responses().get(0).errorCode(), response.responses().get(0).errorMessage()))
                : forwarding.run(ApiKey.INCREMENTAL_ALTER_CONFIGS,
                        incrementalAlterConfigsRequest(name, (ConfigChange.Edit) change, validateOnly),
                        () -> alterOnController(name, change, validateOnly),
                        (IncrementalAlterConfigsResponseData response) -> ControllerForwarding.check(
                                response.responses().get(0).errorCode(), response.responses().get(0).errorMessage())));
        return onController.compose(x -> validateOnly ? Future.<Void>succeededFuture() : awaitSynced(name))
                .map(v -> current(name, local.result()));
    }

    private Future<Void> alterOnController(String name, ConfigChange change, boolean validateOnly) {
        return controller.alterTopicConfigs(name, current -> {
            Map<String, String> next = change.applyTo(current, defaults::value);
            topics.validateConfigs(next);
            return next;
        }, validateOnly).mapEmpty();
    }

    /** Completes once this broker has published the created topic (its id), or after the timeout regardless. */
    private Future<TopicMetadata> awaitPublished(TopicMetadata created) {
        return topics.awaitLocal(created.name(), t -> t != null && t.id().equals(created.id()), LOCAL_SYNC_TIMEOUT_MS)
                .map(v -> current(created.name(), created));
    }

    /** Completes once this broker's copy of the topic matches the metadata, or after the timeout regardless. */
    private Future<Void> awaitSynced(String name) {
        return topics.awaitLocal(name, local -> {
            TopicRecord t = metadata.topic(name);
            return t == null ? local == null : ClusteredView.toMetadata(t).equals(local);
        }, LOCAL_SYNC_TIMEOUT_MS);
    }

    private TopicMetadata current(String name, TopicMetadata otherwise) {
        TopicMetadata topic = topics.topic(name);
        return topic != null ? topic : otherwise;
    }

    private TopicMetadata existing(String name) {
        TopicMetadata topic = topics.topic(name);
        if (topic == null) {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        }
        return topic;
    }

    /** A check of this broker's copy; it fails with the ApiException it throws (INVALID_REQUEST for a bad argument). */
    private static <T> Future<T> checked(Callable<T> check) {
        try {
            return Future.succeededFuture(check.call());
        } catch (ApiException e) {
            return Future.failedFuture(e);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new ApiException(Errors.INVALID_REQUEST, e.getMessage()));
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    // ---- the requests forwarded to the controller, one resource each ----

    private static CreateTopicsRequestData createTopicsRequest(String name, int count, short rf,
                                                               Map<String, String> configs, boolean validateOnly) {
        CreatableTopic topic = new CreatableTopic().setName(name).setNumPartitions(count).setReplicationFactor(rf);
        configs.forEach((k, v) -> topic.configs().add(new CreatableTopicConfig().setName(k).setValue(v)));
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(FORWARDED_TIMEOUT_MS)
                .setValidateOnly(validateOnly);
        request.topics().add(topic);
        return request;
    }

    private static AlterConfigsRequestData alterConfigsRequest(String name, ConfigChange.Replace replace,
                                                               boolean validateOnly) {
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(TOPIC_RESOURCE).setResourceName(name);
        replace.configs().forEach((k, v) -> resource.configs().add(
                new AlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)));
        AlterConfigsRequestData request = new AlterConfigsRequestData().setValidateOnly(validateOnly);
        request.resources().add(resource);
        return request;
    }

    private static IncrementalAlterConfigsRequestData incrementalAlterConfigsRequest(String name,
                                                                                     ConfigChange.Edit edit,
                                                                                     boolean validateOnly) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC_RESOURCE)
                        .setResourceName(name);
        edit.ops().forEach(op -> resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                .setName(op.name()).setConfigOperation(op.operation()).setValue(op.value())));
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(validateOnly);
        request.resources().add(resource);
        return request;
    }
}
