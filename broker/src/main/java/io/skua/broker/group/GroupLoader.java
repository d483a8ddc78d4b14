package io.skua.broker.group;

import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.skua.broker.group.GroupRecords.GroupKey;
import io.skua.broker.group.GroupRecords.GroupValue;
import io.skua.broker.group.GroupRecords.MemberValue;
import io.skua.broker.group.GroupRecords.OffsetKey;
import io.skua.broker.group.GroupRecords.OffsetValue;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.System.Logger.Level;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Rebuilds a partition's groups and offsets by replaying its {@code __consumer_offsets} records (last record per
 * key wins, tombstones delete). Until the replay is applied the partition answers COORDINATOR_LOAD_IN_PROGRESS; a
 * record that cannot be read fails the load and the partition is not served.
 */
final class GroupLoader {
    private static final System.Logger log = System.getLogger(GroupLoader.class.getName());

    private final Context context;
    private final GroupRegistry registry;
    private final GroupRebalance rebalance;
    private final Map<Integer, GroupRegistry.PartitionState> partitionStates;
    private final Map<String, ClassicGroup> groups;
    private final GroupLog groupLog;
    private final LongSupplier clock;

    GroupLoader(Context context, GroupRegistry registry, GroupRebalance rebalance) {
        this.context = context;
        this.registry = registry;
        this.rebalance = rebalance;
        this.partitionStates = registry.partitionStates;
        this.groups = registry.groups;
        this.groupLog = registry.groupLog;
        this.clock = registry.clock;
    }

    Future<Void> load(int partition) {
        if (partitionStates.containsKey(partition)) {
            return Future.succeededFuture();
        }
        partitionStates.put(partition, GroupRegistry.PartitionState.LOADING);
        Map<String, GroupValue> groupValues = new LinkedHashMap<>();
        Map<String, Map<TopicPartition, OffsetValue>> offsets = new LinkedHashMap<>();
        List<GroupLog.Record> records = new ArrayList<>();
        // replay may deliver on any thread: collect, then apply on our context
        return groupLog.replay(partition, r -> {
            synchronized (records) {
                records.add(r);
            }
        }).compose(v -> {
            Promise<Void> applied = Promise.promise();
            context.runOnContext(x -> {
                if (partitionStates.get(partition) != GroupRegistry.PartitionState.LOADING) {
                    applied.complete(); // unloaded meanwhile
                    return;
                }
                try {
                    synchronized (records) {
                        for (GroupLog.Record r : records) {
                            replayRecord(r, groupValues, offsets);
                        }
                    }
                    install(partition, groupValues, offsets);
                    partitionStates.put(partition, GroupRegistry.PartitionState.LOADED);
                    applied.complete();
                } catch (RuntimeException e) {
                    // a record we cannot read: refuse to serve the partition rather than serve wrong state
                    partitionStates.remove(partition);
                    log.log(Level.ERROR, "group coordinator load failed partition=" + partition, e);
                    applied.fail(e);
                }
            });
            return applied.future();
        }, err -> {
            context.runOnContext(x -> partitionStates.remove(partition));
            log.log(Level.ERROR, "group coordinator load failed partition=" + partition, err);
            return Future.failedFuture(err);
        });
    }

    private static void replayRecord(GroupLog.Record r, Map<String, GroupValue> groupValues,
                                     Map<String, Map<TopicPartition, OffsetValue>> offsets) {
        GroupRecords.Key key = GroupRecords.readKey(r.key());
        if (key instanceof OffsetKey k) {
            TopicPartition tp = new TopicPartition(k.topic(), k.partition());
            if (r.isTombstone()) {
                Map<TopicPartition, OffsetValue> m = offsets.get(k.group());
                if (m != null) {
                    m.remove(tp);
                }
            } else {
                offsets.computeIfAbsent(k.group(), g -> new LinkedHashMap<>())
                        .put(tp, GroupRecords.readOffsetValue(r.value()));
            }
        } else if (key instanceof GroupKey k) {
            if (r.isTombstone()) {
                groupValues.remove(k.group());
            } else {
                groupValues.put(k.group(), GroupRecords.readGroupValue(r.value()));
            }
        }
    }

    private void install(int partition, Map<String, GroupValue> groupValues,
                         Map<String, Map<TopicPartition, OffsetValue>> offsets) {
        long now = clock.getAsLong();
        for (Map.Entry<String, GroupValue> e : groupValues.entrySet()) {
            GroupValue v = e.getValue();
            ClassicGroup g = new ClassicGroup(e.getKey(), partition, v.currentStateTimestamp() >= 0
                    ? v.currentStateTimestamp() : now);
            g.protocolType = v.protocolType().isEmpty() ? null : v.protocolType();
            g.generationId = v.generation();
            g.protocolName = v.protocol();
            g.leaderId = v.leader();
            for (MemberValue mv : v.members()) {
                List<GroupMessages.Protocol> protocols = g.protocolName == null ? List.of()
                        : List.of(new GroupMessages.Protocol(g.protocolName, mv.subscription()));
                Member m = new Member(mv.memberId(), mv.groupInstanceId(), mv.clientId(), mv.clientHost(),
                        mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(), protocols);
                m.assignment = mv.assignment();
                g.members.put(m.memberId, m);
                if (m.isStatic()) {
                    g.staticMembers.put(m.groupInstanceId, m.memberId);
                }
            }
            g.state = g.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
            groups.put(g.groupId, g);
            for (Member m : g.members.values()) {
                rebalance.scheduleHeartbeat(g, m);
            }
        }
        for (Map.Entry<String, Map<TopicPartition, OffsetValue>> e : offsets.entrySet()) {
            if (e.getValue().isEmpty() && !groupValues.containsKey(e.getKey())) {
                continue;
            }
            ClassicGroup g = groups.computeIfAbsent(e.getKey(), id -> new ClassicGroup(id, partition, now));
            g.offsets.putAll(e.getValue());
        }
        log.log(Level.DEBUG, "group coordinator loaded partition=" + partition + " groups=" + groupValues.size());
    }
}
