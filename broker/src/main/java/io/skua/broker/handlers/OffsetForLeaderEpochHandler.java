package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.LeaderEpochCache;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.OffsetForLeaderEpochRequestData;
import io.skua.protocol.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import io.skua.protocol.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import io.skua.protocol.message.OffsetForLeaderEpochResponseData;
import io.skua.protocol.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import io.skua.protocol.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import io.vertx.core.Future;

/**
 * OffsetForLeaderEpoch (KIP-101, KIP-279; consumers use it to detect log truncation, KIP-320): for the requested
 * epoch, the largest epoch at or below it and that epoch's end offset (the start of the next epoch, or the log end
 * for the latest epoch); a requested epoch above the latest gets UNDEFINED (-1, -1).
 *
 * <p>Answered from the partition's leader-epoch checkpoint ({@link LeaderEpochCache}); a log without one (nothing
 * appended since epochs are recorded) has one entry, the current epoch from the log start offset. Followers ask the
 * leader this before fetching after a leader change, and truncate to the answer.
 */
public final class OffsetForLeaderEpochHandler
        implements ApiHandler<OffsetForLeaderEpochRequestData, OffsetForLeaderEpochResponseData> {
    static final int UNDEFINED_EPOCH = -1;
    static final long UNDEFINED_OFFSET = -1;

    private final TopicManager topics;
    private final ClusterView cluster;

    public OffsetForLeaderEpochHandler(TopicManager topics, ClusterView cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public Future<OffsetForLeaderEpochResponseData> handle(RequestContext ctx, OffsetForLeaderEpochRequestData request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic t : request.topics()) {
            OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(t.topic());
            for (OffsetForLeaderPartition p : t.partitions()) {
                result.partitions().add(answer(t.topic(), p));
            }
            response.topics().add(result);
        }
        return Future.succeededFuture(response);
    }

    private EpochEndOffset answer(String topic, OffsetForLeaderPartition p) {
        Partition partition = topics.partition(topic, p.partition());
        if (partition == null) {
            return error(p.partition(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        var state = cluster.partitionState(topic, p.partition());
        if (state.leader() != cluster.nodeId()) {
            return error(p.partition(), Errors.NOT_LEADER_OR_FOLLOWER);
        }
        int current = state.leaderEpoch();
        if (p.currentLeaderEpoch() > current) {
            return error(p.partition(), Errors.UNKNOWN_LEADER_EPOCH);
        }
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < current) {
            return error(p.partition(), Errors.FENCED_LEADER_EPOCH);
        }
        long endOffset = partition.logEndOffset();
        int requested = p.leaderEpoch();
        EpochEndOffset out = new EpochEndOffset().setPartition(p.partition()).setErrorCode(Errors.NONE);
        if (!partition.epochs().isEmpty() && requested > partition.epochs().latestEpoch() && requested <= current) {
            // a leader epoch that has not written yet: it holds everything up to the log end
            return out.setLeaderEpoch(requested).setEndOffset(endOffset);
        }
        if (!partition.epochs().isEmpty()) {
            // The partition's leader-epoch checkpoint (epoch -> first offset), kept by appends and truncations.
            LeaderEpochCache.EpochEnd end = partition.epochs().endOffsetFor(requested, endOffset);
            return out.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
        }
        // Nothing appended since epochs are recorded: the history is one entry, epoch `current` from the log start.
        if (requested == UNDEFINED_EPOCH || requested > current) {
            return out.setLeaderEpoch(UNDEFINED_EPOCH).setEndOffset(UNDEFINED_OFFSET);
        }
        if (requested == current) {
            return out.setLeaderEpoch(current).setEndOffset(endOffset);
        }
        // Below every known epoch: its end is where the first known epoch starts.
        return out.setLeaderEpoch(requested).setEndOffset(partition.logStartOffset());
    }

    private static EpochEndOffset error(int partition, short code) {
        return new EpochEndOffset().setPartition(partition).setErrorCode(code)
                .setLeaderEpoch(UNDEFINED_EPOCH).setEndOffset(UNDEFINED_OFFSET);
    }
}
