package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.CoordinatorResult;
import io.skua.broker.group.GroupMessages.DescribedGroup;
import io.skua.broker.group.GroupMessages.DescribedMember;
import io.skua.broker.group.GroupMessages.GroupError;
import io.skua.broker.group.GroupMessages.HeartbeatRequest;
import io.skua.broker.group.GroupMessages.JoinRequest;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.LeaveResult;
import io.skua.broker.group.GroupMessages.ListGroupsResult;
import io.skua.broker.group.GroupMessages.ListedGroup;
import io.skua.broker.group.GroupMessages.MemberIdentity;
import io.skua.broker.group.GroupMessages.OffsetCommitRequest;
import io.skua.broker.group.GroupMessages.OffsetDeleteResult;
import io.skua.broker.group.GroupMessages.OffsetFetchGroup;
import io.skua.broker.group.GroupMessages.OffsetFetchGroupResult;
import io.skua.broker.group.GroupMessages.PartitionError;
import io.skua.broker.group.GroupMessages.SyncRequest;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Kafka's classic group coordinator (JoinGroup/SyncGroup/Heartbeat/LeaveGroup, offsets, admin APIs) at the domain
 * level. See docs/groups.md for the state machine, the storage layout and the errors.
 *
 * <p>Threading: all state is confined to one Vert.x {@link Context} given at construction. Every public method may
 * be called from any thread; the work hops onto the coordinator's context and the returned future completes on the
 * caller's context (or on the coordinator's when the caller has none). Nothing blocks: persistence goes through
 * {@link GroupLog}, timers through {@code vertx.setTimer}.
 */
public final class GroupCoordinator {
    private static final System.Logger log = System.getLogger(GroupCoordinator.class.getName());

    /** FindCoordinator key types. */
    public static final byte KEY_TYPE_GROUP = 0;
    public static final byte KEY_TYPE_TRANSACTION = 1;

    /** Checks OffsetCommit targets (UNKNOWN_TOPIC_OR_PARTITION); backed by the broker's topic metadata. */
    @FunctionalInterface
    public interface PartitionLookup {
        boolean exists(String topic, int partition);
    }

    private final Context context;
    private final Vertx vertx;
    private final GroupConfig config;
    // ---- everything below is confined to `context`
    private final GroupRegistry registry;
    private final Map<Integer, GroupRegistry.PartitionState> partitionStates;
    private final Map<String, ClassicGroup> groups;
    private final GroupLog groupLog;
    private final LongSupplier clock;
    private final GroupRebalance rebalance;
    private final GroupJoin join;
    private final GroupMembership membership;
    private final GroupOffsets offsets;
    private final GroupLoader loader;
    private long retentionTimer = -1;

    public GroupCoordinator(Context context, GroupConfig config, GroupLog groupLog, PartitionLookup partitions,
                            LongSupplier clock) {
        this.context = context;
        this.vertx = context.owner();
        this.config = config;
        this.registry = new GroupRegistry(vertx, config, groupLog, clock);
        this.partitionStates = registry.partitionStates;
        this.groups = registry.groups;
        this.groupLog = groupLog;
        this.clock = clock;
        this.rebalance = new GroupRebalance(registry);
        this.join = new GroupJoin(registry, rebalance);
        this.membership = new GroupMembership(registry, rebalance);
        this.offsets = new GroupOffsets(registry, rebalance, partitions);
        this.loader = new GroupLoader(context, registry, rebalance);
    }

    /** {@code __consumer_offsets} partition of a group: Kafka's {@code Utils.abs(hashCode) % n}. */
    public int partitionFor(String groupId) {
        return registry.partitionFor(groupId);
    }

    // =====================================================================================================
    // Lifecycle
    // =====================================================================================================

    /** Loads every partition (single node: this broker leads all of them) and starts offset expiration. */
    public Future<Void> startup() {
        return call(() -> {
            List<Future<Void>> loads = new ArrayList<>();
            for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
                loads.add(loader.load(p));
            }
            if (retentionTimer < 0) {
                retentionTimer = vertx.setPeriodic(config.offsetsRetentionCheckIntervalMs(),
                        id -> offsets.expireOffsets());
            }
            return Future.all(loads).mapEmpty();
        });
    }

    /** Starts offset expiration without loading any partition (clustered: partitions load as leadership arrives). */
    public Future<Void> startRetention() {
        return call(() -> {
            if (retentionTimer < 0) {
                retentionTimer = vertx.setPeriodic(config.offsetsRetentionCheckIntervalMs(),
                        id -> offsets.expireOffsets());
            }
            return Future.succeededFuture();
        });
    }

    /** Becomes coordinator of a partition (its leader moved here): replays it, then serves its groups. */
    public Future<Void> loadPartition(int partition) {
        return call(() -> loader.load(partition));
    }

    /** Stops coordinating a partition: parked requests answer NOT_COORDINATOR, state is dropped. */
    public Future<Void> unloadPartition(int partition) {
        return call(() -> {
            partitionStates.remove(partition);
            List<ClassicGroup> gone = new ArrayList<>();
            for (ClassicGroup g : groups.values()) {
                if (g.partition == partition) {
                    gone.add(g);
                }
            }
            for (ClassicGroup g : gone) {
                rebalance.dropGroup(g, Errors.NOT_COORDINATOR);
            }
            return Future.succeededFuture();
        });
    }

    public Future<Void> shutdown() {
        return call(() -> {
            if (retentionTimer >= 0) {
                vertx.cancelTimer(retentionTimer);
                retentionTimer = -1;
            }
            for (ClassicGroup g : new ArrayList<>(groups.values())) {
                rebalance.dropGroup(g, Errors.NOT_COORDINATOR);
            }
            partitionStates.clear();
            return Future.succeededFuture();
        });
    }

    // =====================================================================================================
    // FindCoordinator
    // =====================================================================================================

    public Future<List<CoordinatorResult>> findCoordinator(byte keyType, List<String> keys) {
        return call(() -> {
            List<CoordinatorResult> out = new ArrayList<>(keys.size());
            for (String key : keys) {
                if (keyType != KEY_TYPE_GROUP) {
                    out.add(new CoordinatorResult(key, Errors.INVALID_REQUEST, -1));
                } else if (key == null) {
                    out.add(new CoordinatorResult("", Errors.INVALID_GROUP_ID, -1));
                } else {
                    int p = registry.partitionFor(key);
                    short error = partitionStates.containsKey(p) ? Errors.NONE : Errors.NOT_COORDINATOR;
                    out.add(new CoordinatorResult(key, error, p));
                }
            }
            return Future.succeededFuture(out);
        });
    }

    // =====================================================================================================
    // Group membership and offsets (GroupJoin, GroupMembership, GroupOffsets)
    // =====================================================================================================

    public Future<JoinResult> joinGroup(JoinRequest req) {
        return call(() -> join.joinGroup(req));
    }

    public Future<SyncResult> syncGroup(SyncRequest req) {
        return call(() -> membership.syncGroup(req));
    }

    public Future<Short> heartbeat(HeartbeatRequest req) {
        return call(() -> membership.heartbeat(req));
    }

    /** LeaveGroup, batched (v3+); v0-2 handlers pass their single member. */
    public Future<LeaveResult> leaveGroup(String groupId, List<MemberIdentity> leaving) {
        return call(() -> membership.leaveGroup(groupId, leaving));
    }

    /** OffsetCommit: answers once the records are appended; nothing is visible to OffsetFetch before that. */
    public Future<List<PartitionError>> commitOffsets(OffsetCommitRequest req) {
        return call(() -> offsets.commitOffsets(req));
    }

    /**
     * OffsetFetch for several groups (v8+; older versions send one). {@code requireStable} only matters for
     * transactional commits, which this coordinator does not take yet, so every offset is stable.
     */
    public Future<List<OffsetFetchGroupResult>> fetchOffsets(List<OffsetFetchGroup> requests, boolean requireStable) {
        return call(() -> offsets.fetchOffsets(requests, requireStable));
    }

    /** OffsetDelete: empty groups only (member metadata is opaque, so subscriptions are unknown). */
    public Future<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> toDelete) {
        return call(() -> offsets.deleteOffsets(groupId, toDelete));
    }

    /**
     * Offset retention (KIP-211), also run every {@code offsets.retention.check.interval.ms}: completes with the
     * number of offsets expired. See {@link GroupOffsets#expireOffsets()}.
     */
    public Future<Integer> expireOffsets() {
        return call(offsets::expireOffsets);
    }

    // =====================================================================================================
    // ListGroups, DescribeGroups, DeleteGroups
    // =====================================================================================================

    /**
     * @param statesFilter Kafka state names, case-insensitive; empty = all
     * @param typesFilter  group types; empty = all; only "classic" groups exist here
     */
    public Future<ListGroupsResult> listGroups(Set<String> statesFilter, Set<String> typesFilter) {
        return call(() -> {
            short error = partitionStates.containsValue(GroupRegistry.PartitionState.LOADING)
                    ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
            List<ListedGroup> out = new ArrayList<>();
            boolean typeOk = typesFilter.isEmpty() || typesFilter.stream().anyMatch(t -> t.equalsIgnoreCase("classic"));
            Set<String> states = new HashSet<>();
            for (String s : statesFilter) {
                states.add(s.toLowerCase(Locale.ROOT));
            }
            if (typeOk) {
                for (ClassicGroup g : groups.values()) {
                    if (!registry.isLoaded(g.partition)) {
                        continue;
                    }
                    if (!states.isEmpty() && !states.contains(g.state.kafkaName().toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    out.add(new ListedGroup(g.groupId, g.protocolType == null ? "" : g.protocolType,
                            g.state.kafkaName(), "classic"));
                }
            }
            out.sort(Comparator.comparing(ListedGroup::groupId));
            return Future.succeededFuture(new ListGroupsResult(error, out));
        });
    }

    /** @param apiVersion DescribeGroups version: v6+ answers GROUP_ID_NOT_FOUND for unknown groups (KIP-1043) */
    public Future<List<DescribedGroup>> describeGroups(List<String> groupIds, int apiVersion) {
        return call(() -> {
            List<DescribedGroup> out = new ArrayList<>(groupIds.size());
            for (String groupId : groupIds) {
                short status = registry.groupStatus(groupId, false);
                ClassicGroup g = status == Errors.NONE ? groups.get(groupId) : null;
                if (status != Errors.NONE) {
                    out.add(new DescribedGroup(status, groupId, "", "", "", List.of()));
                } else if (g == null || g.is(GroupState.DEAD)) {
                    short error = apiVersion >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE;
                    out.add(new DescribedGroup(error, groupId, GroupState.DEAD.kafkaName(), "", "", List.of()));
                } else {
                    boolean stable = g.is(GroupState.STABLE);
                    List<DescribedMember> members = new ArrayList<>();
                    for (Member m : g.members.values()) {
                        members.add(new DescribedMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                                stable ? m.metadata(g.protocolName) : new byte[0],
                                stable ? m.assignment : new byte[0]));
                    }
                    out.add(new DescribedGroup(Errors.NONE, groupId, g.state.kafkaName(),
                            g.protocolType == null ? "" : g.protocolType,
                            stable && g.protocolName != null ? g.protocolName : "", members));
                }
            }
            return Future.succeededFuture(out);
        });
    }

    /** DeleteGroups: an empty group's metadata and offsets are tombstoned; groups with members answer NON_EMPTY_GROUP. */
    public Future<List<GroupError>> deleteGroups(List<String> groupIds) {
        return call(() -> {
            List<Future<GroupError>> results = new ArrayList<>(groupIds.size());
            for (String groupId : groupIds) {
                short status = registry.groupStatus(groupId, false);
                ClassicGroup g = status == Errors.NONE ? groups.get(groupId) : null;
                if (status != Errors.NONE) {
                    results.add(Future.succeededFuture(new GroupError(groupId, status)));
                } else if (g == null || g.is(GroupState.DEAD)) {
                    results.add(Future.succeededFuture(new GroupError(groupId, Errors.GROUP_ID_NOT_FOUND)));
                } else if (!g.is(GroupState.EMPTY)) {
                    results.add(Future.succeededFuture(new GroupError(groupId, Errors.NON_EMPTY_GROUP)));
                } else {
                    List<GroupLog.Record> tombstones = new ArrayList<>();
                    for (TopicPartition tp : g.offsets.keySet()) {
                        tombstones.add(new GroupLog.Record(GroupRecords.offsetKey(groupId, tp.topic(), tp.partition()), null));
                    }
                    tombstones.add(new GroupLog.Record(GroupRecords.groupKey(groupId), null));
                    for (Long t : g.pendingMembers.values()) {
                        vertx.cancelTimer(t);
                    }
                    g.pendingMembers.clear();
                    g.transitionTo(GroupState.DEAD, clock.getAsLong());
                    groups.remove(groupId);
                    results.add(groupLog.append(g.partition, tombstones).transform(ar -> {
                        if (ar.succeeded()) {
                            return Future.succeededFuture(new GroupError(groupId, Errors.NONE));
                        }
                        // not durable: the group is still there for whoever reads the log, so keep it here too
                        g.state = GroupState.EMPTY;
                        groups.putIfAbsent(groupId, g);
                        return Future.succeededFuture(new GroupError(groupId, GroupRegistry.storeError(ar.cause())));
                    }));
                }
            }
            return Future.all(results).map(cf -> {
                List<GroupError> out = new ArrayList<>(results.size());
                for (Future<GroupError> f : results) {
                    out.add(f.result());
                }
                return out;
            });
        });
    }

    // =====================================================================================================
    // Helpers
    // =====================================================================================================

    /**
     * Runs {@code body} on the coordinator's context. The returned future completes in a fresh task on the
     * caller's context (the coordinator's when the caller has none), never nested inside coordinator code: a
     * caller chaining another coordinator call on the result cannot re-enter a half-done state change.
     */
    private <T> Future<T> call(Supplier<Future<T>> body) {
        Context caller = Vertx.currentContext();
        Context reply = caller != null ? caller : context;
        Promise<T> promise = Promise.promise();
        Runnable run = () -> safely(body).onComplete(ar -> reply.runOnContext(x -> promise.handle(ar)));
        if (caller == context) {
            run.run();
        } else {
            context.runOnContext(v -> run.run());
        }
        return promise.future();
    }

    private <T> Future<T> safely(Supplier<Future<T>> body) {
        assert Vertx.currentContext() == context : "group coordinator state touched off its context";
        try {
            return body.get();
        } catch (RuntimeException e) {
            log.log(Level.ERROR, "group coordinator failure", e);
            return Future.failedFuture(e);
        }
    }

    /** Test hook: the state of a group, on the coordinator's context. */
    Future<GroupState> stateOf(String groupId) {
        return call(() -> {
            ClassicGroup g = groups.get(groupId);
            return Future.succeededFuture(g == null ? GroupState.DEAD : g.state);
        });
    }
}
