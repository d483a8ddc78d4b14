package io.skua.broker.group;


import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupRecords.GroupValue;
import io.skua.broker.group.GroupRecords.MemberValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * State shared by the coordinator's parts ({@link GroupJoin}, {@link GroupMembership}, {@link GroupRebalance},
 * {@link GroupOffsets}, the admin APIs and the loader): the groups, which offsets partitions are served, and the
 * helpers that persist a group. Confined to the coordinator's context like everything it holds.
 */
final class GroupRegistry {
    enum PartitionState { LOADING, LOADED }

    final Vertx vertx;
    final GroupConfig config;
    final GroupLog groupLog;
    final LongSupplier clock;
    final Map<Integer, PartitionState> partitionStates = new HashMap<>();
    final Map<String, ClassicGroup> groups = new HashMap<>();

    GroupRegistry(Vertx vertx, GroupConfig config, GroupLog groupLog, LongSupplier clock) {
        this.vertx = vertx;
        this.config = config;
        this.groupLog = groupLog;
        this.clock = clock;
    }

    /** {@code __consumer_offsets} partition of a group: Kafka's {@code Utils.abs(hashCode) % n}. */
    int partitionFor(String groupId) {
        return (groupId.hashCode() & 0x7fffffff) % config.offsetsTopicPartitions();
    }

    boolean isLoaded(int partition) {
        return partitionStates.get(partition) == PartitionState.LOADED;
    }

    /** INVALID_GROUP_ID, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS, else NONE. */
    short groupStatus(String groupId, boolean requireNonEmpty) {
        if (groupId == null || (requireNonEmpty && groupId.isEmpty())) {
            return Errors.INVALID_GROUP_ID;
        }
        PartitionState ps = partitionStates.get(partitionFor(groupId));
        if (ps == null) {
            return Errors.NOT_COORDINATOR;
        }
        return ps == PartitionState.LOADING ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
    }


    /** Persists the group's metadata with the given assignments (GroupMetadataValue). */
    Future<Void> storeGroup(ClassicGroup group, Map<String, byte[]> assignment) {
        List<MemberValue> members = new ArrayList<>();
        for (Member m : group.members.values()) {
            byte[] a = assignment.get(m.memberId);
            members.add(new MemberValue(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.metadata(group.protocolName),
                    a == null ? new byte[0] : a));
        }
        GroupValue value = new GroupValue(group.protocolType == null ? "" : group.protocolType, group.generationId,
                group.protocolName, group.leaderId, group.currentStateTimestamp, members);
        return groupLog.append(group.partition, List.of(new GroupLog.Record(GroupRecords.groupKey(group.groupId),
                GroupRecords.groupValue(value))));
    }


    /** A failed append: Kafka maps storage failures to COORDINATOR_NOT_AVAILABLE, so clients rediscover. */
    static short storeError(Throwable cause) {
        return Errors.COORDINATOR_NOT_AVAILABLE;
    }


    /** A group with no members, no pending members and no offsets that never stored anything is forgotten. */
    void maybeDropEmptyGroup(ClassicGroup group) {
        if (group.is(GroupState.EMPTY) && group.members.isEmpty() && group.pendingMembers.isEmpty()
                && group.offsets.isEmpty() && group.generationId == 0 && groups.get(group.groupId) == group) {
            groups.remove(group.groupId);
        }
    }
}
