package io.skua.broker.group;

import java.util.List;
import java.util.Map;

/**
 * Domain requests and results of the group coordinator, independent of the generated wire classes. Handlers
 * translate between these and the {@code *Data} messages. Fields documented "nullable" may be null; everything
 * else is non-null (empty strings and lists stand for "none"). Errors are Kafka codes ({@link Errors}).
 * Member metadata and assignments are opaque bytes: the coordinator never parses them.
 */
public final class GroupMessages {
    private GroupMessages() {
    }

    public record Protocol(String name, byte[] metadata) {
    }

    /**
     * @param memberId        "" on a first join
     * @param groupInstanceId nullable: static membership (JoinGroup v5+)
     * @param rebalanceTimeoutMs for JoinGroup v0 the handler passes the session timeout
     * @param apiVersion      the JoinGroup version: v4+ requires a member id (KIP-394), v9+ knows SkipAssignment
     */
    public record JoinRequest(String groupId, String memberId, String groupInstanceId, String protocolType,
                              List<Protocol> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs,
                              String clientId, String clientHost, int apiVersion) {
    }

    public record JoinMember(String memberId, String groupInstanceId /* nullable */, byte[] metadata) {
    }

    /**
     * @param protocolType nullable
     * @param protocolName nullable (handlers write "" below JoinGroup v7)
     * @param members      filled for the leader only
     */
    public record JoinResult(short error, int generationId, String protocolType, String protocolName,
                             String leaderId, boolean skipAssignment, String memberId, List<JoinMember> members) {
        static JoinResult error(short error, String memberId) {
            return new JoinResult(error, -1, null, null, "", false, memberId, List.of());
        }
    }

    /** @param protocolType nullable, @param protocolName nullable (checked when given, SyncGroup v5+) */
    public record SyncRequest(String groupId, int generationId, String memberId, String groupInstanceId,
                              String protocolType, String protocolName, Map<String, byte[]> assignments) {
    }

    public record SyncResult(short error, String protocolType, String protocolName, byte[] assignment) {
        static SyncResult error(short error) {
            return new SyncResult(error, null, null, new byte[0]);
        }
    }

    public record HeartbeatRequest(String groupId, int generationId, String memberId, String groupInstanceId) {
    }

    /** A member leaving: memberId "" with an instance id removes that static member (admin removal). */
    public record MemberIdentity(String memberId, String groupInstanceId /* nullable */) {
    }

    public record LeaveMemberResult(String memberId, String groupInstanceId, short error) {
    }

    /** Top-level error plus one result per leaving member (LeaveGroup v0-2 handlers use the single member's). */
    public record LeaveResult(short error, List<LeaveMemberResult> members) {
    }

    public record TopicPartition(String topic, int partition) {
    }

    /** @param metadata nullable (stored as "") */
    public record PartitionOffset(String topic, int partition, long offset, int leaderEpoch, String metadata) {
    }

    /**
     * @param generationId    -1 for commits outside group management (admin, manual assignment)
     * @param retentionTimeMs -1 = broker default (OffsetCommit v2-4 may set it)
     */
    public record OffsetCommitRequest(String groupId, int generationId, String memberId, String groupInstanceId,
                                      long retentionTimeMs, List<PartitionOffset> offsets, int apiVersion) {
    }

    public record PartitionError(String topic, int partition, short error) {
    }

    /** @param partitions nullable: all committed offsets of the group */
    public record OffsetFetchGroup(String groupId, List<TopicPartition> partitions) {
    }

    public record FetchedOffset(String topic, int partition, long offset, int leaderEpoch, String metadata,
                                short error) {
    }

    public record OffsetFetchGroupResult(String groupId, short error, List<FetchedOffset> partitions) {
    }

    /** @param state Kafka's state name (Empty, PreparingRebalance, ...); groupType is always "classic" */
    public record ListedGroup(String groupId, String protocolType, String state, String groupType) {
    }

    public record ListGroupsResult(short error, List<ListedGroup> groups) {
    }

    public record DescribedMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                                  byte[] metadata, byte[] assignment) {
    }

    /** @param protocolData the selected protocol name, "" unless Stable */
    public record DescribedGroup(short error, String groupId, String state, String protocolType,
                                 String protocolData, List<DescribedMember> members) {
    }

    public record GroupError(String groupId, short error) {
    }

    public record OffsetDeleteResult(short error, List<PartitionError> partitions) {
    }

    /** FindCoordinator per key: the handler turns the partition into its leader's node. */
    public record CoordinatorResult(String key, short error, int partition) {
    }
}
