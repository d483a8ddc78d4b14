package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.FetchedOffset;
import io.skua.broker.group.GroupMessages.OffsetCommitRequest;
import io.skua.broker.group.GroupMessages.OffsetDeleteResult;
import io.skua.broker.group.GroupMessages.OffsetFetchGroup;
import io.skua.broker.group.GroupMessages.OffsetFetchGroupResult;
import io.skua.broker.group.GroupMessages.PartitionError;
import io.skua.broker.group.GroupMessages.PartitionOffset;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.skua.broker.group.GroupRecords.OffsetValue;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Committed offsets: OffsetCommit (acknowledged only once appended), OffsetFetch, OffsetDelete and retention.
 * Runs on the coordinator's context only; {@link GroupCoordinator} is the public face.
 */
final class GroupOffsets {
    private static final System.Logger log = System.getLogger(GroupOffsets.class.getName());

    private final GroupRegistry registry;
    private final GroupRebalance rebalance;
    private final GroupCoordinator.PartitionLookup partitions;
    private final Map<String, ClassicGroup> groups;
    private final GroupConfig config;
    private final GroupLog groupLog;
    private final LongSupplier clock;

    GroupOffsets(GroupRegistry registry, GroupRebalance rebalance, GroupCoordinator.PartitionLookup partitions) {
        this.registry = registry;
        this.rebalance = rebalance;
        this.partitions = partitions;
        this.groups = registry.groups;
        this.config = registry.config;
        this.groupLog = registry.groupLog;
        this.clock = registry.clock;
    }

    // =====================================================================================================
    // Offsets
    // =====================================================================================================

    /** OffsetCommit: answers once the records are appended; nothing is visible to OffsetFetch before that. */
    Future<List<PartitionError>> commitOffsets(OffsetCommitRequest req) {
        short status = registry.groupStatus(req.groupId(), true);
        if (status != Errors.NONE) {
            return Future.succeededFuture(allPartitions(req.offsets(), status));
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            if (req.generationId() < 0) {
                // a "simple" group: offsets without group management (admin client, manual assignment)
                group = new ClassicGroup(req.groupId(), registry.partitionFor(req.groupId()), clock.getAsLong());
                groups.put(group.groupId, group);
            } else {
                short error = req.apiVersion() >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
                return Future.succeededFuture(allPartitions(req.offsets(), error));
            }
        }
        short error = validateOffsetCommit(group, req);
        if (error != Errors.NONE) {
            Future<List<PartitionError>> result = Future.succeededFuture(allPartitions(req.offsets(), error));
            registry.maybeDropEmptyGroup(group);
            return result;
        }
        Member member = group.get(req.memberId());
        if (member != null) {
            rebalance.scheduleHeartbeat(group, member);
        }
        return storeOffsets(group, req);
    }

    private short validateOffsetCommit(ClassicGroup group, OffsetCommitRequest req) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (req.generationId() < 0 && group.is(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (req.generationId() >= 0 || !req.memberId().isEmpty() || req.groupInstanceId() != null) {
            if (group.isStaticMemberFenced(req.groupInstanceId(), req.memberId())) {
                return Errors.FENCED_INSTANCE_ID;
            }
            if (!group.has(req.memberId())) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (req.generationId() != group.generationId) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!group.is(GroupState.EMPTY)) {
            // no member id and no generation: only an empty group takes such commits
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // the member knows the new generation but has no assignment yet
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    private Future<List<PartitionError>> storeOffsets(ClassicGroup group, OffsetCommitRequest req) {
        long now = clock.getAsLong();
        long expire = req.retentionTimeMs() >= 0 ? now + req.retentionTimeMs() : -1;
        List<PartitionError> results = new ArrayList<>(req.offsets().size());
        List<GroupLog.Record> records = new ArrayList<>();
        Map<TopicPartition, OffsetValue> toApply = new LinkedHashMap<>();
        List<Integer> written = new ArrayList<>();
        for (PartitionOffset o : req.offsets()) {
            String metadata = o.metadata() == null ? "" : o.metadata();
            short error;
            if (metadata.length() > config.offsetMetadataMaxBytes()) {
                error = Errors.OFFSET_METADATA_TOO_LARGE;
            } else if (!partitions.exists(o.topic(), o.partition())) {
                error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                error = Errors.NONE;
                OffsetValue v = new OffsetValue(o.offset(), o.leaderEpoch(), metadata, now, expire);
                records.add(new GroupLog.Record(GroupRecords.offsetKey(group.groupId, o.topic(), o.partition()),
                        GroupRecords.offsetValue(v)));
                toApply.put(new TopicPartition(o.topic(), o.partition()), v);
                written.add(results.size());
            }
            results.add(new PartitionError(o.topic(), o.partition(), error));
        }
        if (records.isEmpty()) {
            registry.maybeDropEmptyGroup(group);
            return Future.succeededFuture(results);
        }
        for (TopicPartition tp : toApply.keySet()) {
            group.pendingOffsetCommits.merge(tp, 1, Integer::sum);
        }
        return groupLog.append(group.partition, records).transform(ar -> {
            for (TopicPartition tp : toApply.keySet()) {
                group.pendingOffsetCommits.computeIfPresent(tp, (k, n) -> n == 1 ? null : n - 1);
            }
            if (ar.succeeded()) {
                ClassicGroup current = groups.get(group.groupId);
                if (current == null) {
                    // deleted while the write was in flight: the records still exist, so the group does too
                    current = group;
                    groups.put(group.groupId, group);
                }
                current.offsets.putAll(toApply);
                return Future.succeededFuture(results);
            }
            short error = GroupRegistry.storeError(ar.cause());
            List<PartitionError> failed = new ArrayList<>(results);
            for (int i : written) {
                PartitionError pe = failed.get(i);
                failed.set(i, new PartitionError(pe.topic(), pe.partition(), error));
            }
            registry.maybeDropEmptyGroup(group);
            return Future.succeededFuture(failed);
        });
    }

    /**
     * OffsetFetch for several groups (v8+; older versions send one). {@code requireStable} only matters for
     * transactional commits, which this coordinator does not take yet, so every offset is stable.
     */
    Future<List<OffsetFetchGroupResult>> fetchOffsets(List<OffsetFetchGroup> requests, boolean requireStable) {
        List<OffsetFetchGroupResult> out = new ArrayList<>(requests.size());
        for (OffsetFetchGroup req : requests) {
            short status = registry.groupStatus(req.groupId(), false);
            if (status != Errors.NONE) {
                out.add(new OffsetFetchGroupResult(req.groupId(), status, List.of()));
                continue;
            }
            ClassicGroup group = groups.get(req.groupId());
            Map<TopicPartition, OffsetValue> offsets = group == null ? Map.of() : group.offsets;
            List<FetchedOffset> fetched = new ArrayList<>();
            if (req.partitions() == null) {
                for (Map.Entry<TopicPartition, OffsetValue> e : offsets.entrySet()) {
                    fetched.add(fetched(e.getKey(), e.getValue()));
                }
            } else {
                for (TopicPartition tp : req.partitions()) {
                    fetched.add(fetched(tp, offsets.get(tp)));
                }
            }
            out.add(new OffsetFetchGroupResult(req.groupId(), Errors.NONE, fetched));
        }
        return Future.succeededFuture(out);
    }

    private static FetchedOffset fetched(TopicPartition tp, OffsetValue v) {
        if (v == null) {
            return new FetchedOffset(tp.topic(), tp.partition(), -1, -1, "", Errors.NONE);
        }
        return new FetchedOffset(tp.topic(), tp.partition(), v.offset(), v.leaderEpoch(), v.metadata(), Errors.NONE);
    }

    /** OffsetDelete: allowed for empty groups; a group with members answers NON_EMPTY_GROUP (metadata is opaque,
     * so subscriptions are unknown, as Kafka does for non-consumer protocol types). */
    Future<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> toDelete) {
        short status = registry.groupStatus(groupId, false);
        if (status != Errors.NONE) {
            return Future.succeededFuture(new OffsetDeleteResult(status, List.of()));
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            return Future.succeededFuture(new OffsetDeleteResult(Errors.GROUP_ID_NOT_FOUND, List.of()));
        }
        if (!group.is(GroupState.EMPTY)) {
            return Future.succeededFuture(new OffsetDeleteResult(Errors.NON_EMPTY_GROUP, List.of()));
        }
        List<GroupLog.Record> tombstones = new ArrayList<>();
        List<PartitionError> results = new ArrayList<>();
        for (TopicPartition tp : toDelete) {
            if (group.offsets.containsKey(tp)) {
                tombstones.add(new GroupLog.Record(GroupRecords.offsetKey(groupId, tp.topic(), tp.partition()), null));
            }
            results.add(new PartitionError(tp.topic(), tp.partition(), Errors.NONE));
        }
        if (tombstones.isEmpty()) {
            return Future.succeededFuture(new OffsetDeleteResult(Errors.NONE, results));
        }
        return groupLog.append(group.partition, tombstones).transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(new OffsetDeleteResult(GroupRegistry.storeError(ar.cause()), List.of()));
            }
            for (TopicPartition tp : toDelete) {
                group.offsets.remove(tp);
            }
            return Future.succeededFuture(new OffsetDeleteResult(Errors.NONE, results));
        });
    }

    /**
     * Offset retention (Kafka's rules, KIP-211): in an empty group with a protocol type, offsets expire
     * {@code offsets.retention.minutes} after the group became empty; in a simple group (no protocol type),
     * that long after their commit; a commit carrying its own retention expires at its expire timestamp. An empty
     * group left without offsets is deleted (tombstoned). Completes with the number of offsets expired.
     */
    Future<Integer> expireOffsets() {
        long now = clock.getAsLong();
        long retention = config.offsetsRetentionMs();
        List<Future<Void>> writes = new ArrayList<>();
        int expiredCount = 0;
        for (ClassicGroup group : new ArrayList<>(groups.values())) {
            if (!registry.isLoaded(group.partition) || !group.is(GroupState.EMPTY)) {
                continue;
            }
            List<TopicPartition> expired = new ArrayList<>();
            for (Map.Entry<TopicPartition, OffsetValue> e : group.offsets.entrySet()) {
                if (group.pendingOffsetCommits.containsKey(e.getKey())) {
                    continue;
                }
                OffsetValue v = e.getValue();
                boolean isExpired;
                if (v.expireTimestamp() >= 0) {
                    isExpired = now >= v.expireTimestamp();
                } else {
                    long base = group.protocolType != null ? group.currentStateTimestamp : v.commitTimestamp();
                    isExpired = now - base >= retention;
                }
                if (isExpired) {
                    expired.add(e.getKey());
                }
            }
            List<GroupLog.Record> tombstones = new ArrayList<>();
            for (TopicPartition tp : expired) {
                group.offsets.remove(tp);
                tombstones.add(new GroupLog.Record(GroupRecords.offsetKey(group.groupId, tp.topic(), tp.partition()), null));
            }
            expiredCount += expired.size();
            if (group.offsets.isEmpty() && group.members.isEmpty() && group.pendingMembers.isEmpty()
                    && group.pendingOffsetCommits.isEmpty()) {
                group.transitionTo(GroupState.DEAD, now);
                groups.remove(group.groupId);
                tombstones.add(new GroupLog.Record(GroupRecords.groupKey(group.groupId), null));
            }
            if (!tombstones.isEmpty()) {
                writes.add(groupLog.append(group.partition, tombstones));
            }
        }
        if (expiredCount > 0) {
            log.log(Level.INFO, "expired offsets count=" + expiredCount);
        }
        int count = expiredCount;
        return Future.join(writes).transform(ar -> Future.succeededFuture(count));
    }

    private static List<PartitionError> allPartitions(List<PartitionOffset> offsets, short error) {
        List<PartitionError> out = new ArrayList<>(offsets.size());
        for (PartitionOffset o : offsets) {
            out.add(new PartitionError(o.topic(), o.partition(), error));
        }
        return out;
    }
}
