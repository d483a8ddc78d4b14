package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.metadata.BrokerTopicDefaults;
import io.skua.broker.metadata.BrokerTopicDefaults.Synonym;
import io.skua.broker.metadata.TopicConfigs;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DescribeConfigsRequestData;
import io.skua.protocol.message.DescribeConfigsRequestData.DescribeConfigsResource;
import io.skua.protocol.message.DescribeConfigsResponseData;
import io.skua.protocol.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import io.skua.protocol.message.DescribeConfigsResponseData.DescribeConfigsResult;
import io.skua.protocol.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DescribeConfigs for topics (every Kafka topic config with its effective value and where it comes from) and for
 * this broker (its static configuration). Skua has no dynamic broker configs: every broker config is read-only, and
 * the cluster-default broker resource (empty name) has no configs.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequestData, DescribeConfigsResponseData> {
    /** Resource types (org.apache.kafka.common.config.ConfigResource.Type). */
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    /** Config sources (DescribeConfigsResponse.ConfigSource). */
    static final byte DYNAMIC_TOPIC_CONFIG = 1;
    static final byte STATIC_BROKER_CONFIG = 4;
    static final byte DEFAULT_CONFIG = 5;

    private final TopicManager topics;
    private final BrokerConfig config;
    private final BrokerTopicDefaults defaults;

    public DescribeConfigsHandler(TopicManager topics, BrokerConfig config, BrokerTopicDefaults defaults) {
        this.topics = topics;
        this.config = config;
        this.defaults = defaults;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DESCRIBE_CONFIGS;
    }

    @Override
    public Future<DescribeConfigsResponseData> handle(RequestContext ctx, DescribeConfigsRequestData request) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            Set<String> keys = resource.configurationKeys() == null ? null : new HashSet<>(resource.configurationKeys());
            switch (resource.resourceType()) {
                case TOPIC -> describeTopic(result, keys, request.includeSynonyms(), request.includeDocumentation());
                case BROKER -> describeBroker(result, keys, request.includeSynonyms(), request.includeDocumentation());
                default -> result.setErrorCode(Errors.INVALID_REQUEST)
                        .setErrorMessage("Unsupported resource type " + resource.resourceType() + " in DescribeConfigs");
            }
            response.results().add(result);
        }
        return Future.succeededFuture(response);
    }

    private void describeTopic(DescribeConfigsResult result, Set<String> keys, boolean synonyms, boolean docs) {
        TopicMetadata topic = topics.topic(result.resourceName());
        if (topic == null) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION)
                    .setErrorMessage("Topic '" + result.resourceName() + "' does not exist.");
            return;
        }
        for (TopicConfigs.Def def : TopicConfigs.all()) {
            if (keys != null && !keys.contains(def.name())) {
                continue;
            }
            String override = topic.configs().get(def.name());
            List<Synonym> brokerSet = defaults.explicitSynonyms(def.name());
            byte source = override != null ? DYNAMIC_TOPIC_CONFIG
                    : brokerSet.isEmpty() ? DEFAULT_CONFIG : STATIC_BROKER_CONFIG;
            DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                    .setName(def.name())
                    .setValue(override != null ? override : defaults.value(def.name()))
                    .setReadOnly(false)
                    .setConfigSource(source)
                    .setIsSensitive(false)
                    .setConfigType(def.type())
                    .setDocumentation(docs ? "Topic config; the broker property " + def.brokerSynonym()
                            + " sets its default." : null);
            if (synonyms) {
                if (override != null) {
                    entry.synonyms().add(synonym(def.name(), override, DYNAMIC_TOPIC_CONFIG));
                }
                for (Synonym s : brokerSet) {
                    entry.synonyms().add(synonym(s.name(), s.value(), STATIC_BROKER_CONFIG));
                }
                entry.synonyms().add(synonym(def.brokerSynonym(), def.kafkaDefault(), DEFAULT_CONFIG));
            }
            result.configs().add(entry);
        }
    }

    private void describeBroker(DescribeConfigsResult result, Set<String> keys, boolean synonyms, boolean docs) {
        String name = result.resourceName();
        if (name.isEmpty()) {
            return; // the cluster-wide dynamic defaults: Skua has none
        }
        if (!name.equals(String.valueOf(config.nodeId()))) {
            result.setErrorCode(Errors.INVALID_REQUEST).setErrorMessage("Unexpected broker id, expected "
                    + config.nodeId() + " or empty string, but received " + name);
            return;
        }
        Set<String> seen = new HashSet<>();
        for (BrokerConfig.Entry e : config.entries()) {
            seen.add(e.name());
            if (keys == null || keys.contains(e.name())) {
                String value = e.value() == null ? null : String.valueOf(e.value());
                String raw = config.originals().get(e.name());
                result.configs().add(brokerEntry(e.name(), value, raw, typeOf(e.type()), synonyms,
                        docs ? e.doc() : null));
            }
        }
        // Broker properties Skua does not model itself but that set topic defaults (min.insync.replicas, ...).
        for (TopicConfigs.Def def : TopicConfigs.all()) {
            String property = def.brokerSynonym();
            if (seen.add(property) && (keys == null || keys.contains(property))) {
                String raw = config.originals().get(property);
                result.configs().add(brokerEntry(property, raw != null ? raw : def.kafkaDefault(), raw, def.type(),
                        synonyms, docs ? "Default of the topic config " + def.name() + "." : null));
            }
        }
    }

    private static DescribeConfigsResourceResult brokerEntry(String name, String value, String raw, byte type,
                                                             boolean synonyms, String doc) {
        DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                .setName(name)
                .setValue(value)
                .setReadOnly(true)
                .setConfigSource(raw != null ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG)
                .setIsSensitive(false)
                .setConfigType(type)
                .setDocumentation(doc);
        if (synonyms) {
            if (raw != null) {
                entry.synonyms().add(synonym(name, raw, STATIC_BROKER_CONFIG));
            } else if (value != null) {
                entry.synonyms().add(synonym(name, value, DEFAULT_CONFIG));
            }
        }
        return entry;
    }

    private static DescribeConfigsSynonym synonym(String name, String value, byte source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source);
    }

    private static byte typeOf(Class<?> type) {
        if (type == Integer.class) {
            return TopicConfigs.INT;
        }
        if (type == Long.class) {
            return TopicConfigs.LONG;
        }
        if (type == Boolean.class) {
            return TopicConfigs.BOOLEAN;
        }
        return TopicConfigs.STRING;
    }
}
