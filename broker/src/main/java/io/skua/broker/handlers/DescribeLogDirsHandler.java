package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DescribeLogDirsRequestData;
import io.skua.protocol.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import io.skua.protocol.message.DescribeLogDirsResponseData;
import io.skua.protocol.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import io.skua.protocol.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import io.skua.protocol.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DescribeLogDirs: the broker's one data directory, with per partition its size on disk and offset lag (0: a single
 * node's log is the leader's), and the file system's total and usable bytes (read off the event loop). A null topic
 * list means every topic; unknown topics and partitions are left out, as Kafka does.
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequestData, DescribeLogDirsResponseData> {
    private final TopicManager topics;

    public DescribeLogDirsHandler(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DESCRIBE_LOG_DIRS;
    }

    @Override
    public Future<DescribeLogDirsResponseData> handle(RequestContext ctx, DescribeLogDirsRequestData request) {
        Map<String, List<Integer>> wanted = new TreeMap<>();
        if (request.topics() == null) {
            for (TopicMetadata t : topics.topics()) {
                wanted.put(t.name(), java.util.stream.IntStream.range(0, t.partitionCount()).boxed().toList());
            }
        } else {
            for (DescribableLogDirTopic t : request.topics()) {
                wanted.computeIfAbsent(t.topic(), k -> new java.util.ArrayList<>()).addAll(t.partitions());
            }
        }
        DescribeLogDirsResult dir = new DescribeLogDirsResult().setLogDir(topics.dataDir().toString());
        wanted.forEach((name, partitions) -> {
            DescribeLogDirsTopic topic = new DescribeLogDirsTopic().setName(name);
            for (int index : partitions) {
                Partition p = topics.partition(name, index);
                if (p != null) {
                    topic.partitions().add(new DescribeLogDirsPartition().setPartitionIndex(index)
                            .setPartitionSize(p.log().sizeInBytes())
                            .setOffsetLag(Math.max(0, p.highWatermark() - p.logEndOffset()))
                            .setIsFutureKey(false));
                }
            }
            if (!topic.partitions().isEmpty()) {
                dir.topics().add(topic);
            }
        });
        return ctx.context().executeBlocking(() -> {
            FileStore store = Files.getFileStore(topics.dataDir());
            return new long[]{store.getTotalSpace(), store.getUsableSpace()};
        }, false).transform(ar -> {
            if (ar.succeeded()) {
                dir.setTotalBytes(ar.result()[0]).setUsableBytes(ar.result()[1]);
            } else {
                dir.setErrorCode(Errors.KAFKA_STORAGE_ERROR).setTotalBytes(-1).setUsableBytes(-1);
            }
            DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
            response.results().add(dir);
            return Future.succeededFuture(response);
        });
    }
}
