package io.skua.broker.group;

import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.CoordinatorResult;
import io.skua.broker.group.GroupMessages.DescribedGroup;
import io.skua.broker.group.GroupMessages.DescribedMember;
import io.skua.broker.group.GroupMessages.FetchedOffset;
import io.skua.broker.group.GroupMessages.GroupError;
import io.skua.broker.group.GroupMessages.HeartbeatRequest;
import io.skua.broker.group.GroupMessages.JoinRequest;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.LeaveMemberResult;
import io.skua.broker.group.GroupMessages.LeaveResult;
import io.skua.broker.group.GroupMessages.ListGroupsResult;
import io.skua.broker.group.GroupMessages.ListedGroup;
import io.skua.broker.group.GroupMessages.MemberIdentity;
import io.skua.broker.group.GroupMessages.OffsetCommitRequest;
import io.skua.broker.group.GroupMessages.OffsetDeleteResult;
import io.skua.broker.group.GroupMessages.OffsetFetchGroup;
import io.skua.broker.group.GroupMessages.OffsetFetchGroupResult;
import io.skua.broker.group.GroupMessages.PartitionError;
import io.skua.broker.group.GroupMessages.PartitionOffset;
import io.skua.broker.group.GroupMessages.SyncRequest;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.skua.broker.group.GroupRecords.GroupKey;
import io.skua.broker.group.GroupRecords.GroupValue;
import io.skua.broker.group.GroupRecords.MemberValue;
import io.skua.broker.group.GroupRecords.OffsetKey;
import io.skua.broker.group.GroupRecords.OffsetValue;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    /** FindCoordinator key types. */
    public static final byte KEY_TYPE_GROUP = 0;
    public static final byte KEY_TYPE_TRANSACTION = 1;

    /** Checks OffsetCommit targets (UNKNOWN_TOPIC_OR_PARTITION); backed by the broker's topic metadata. */
    @FunctionalInterface
    public interface PartitionLookup {
        boolean exists(String topic, int partition);
    }

    private enum PartitionState { LOADING, LOADED }

    private final Context context;
    private final Vertx vertx;
    private final GroupConfig config;
    private final GroupLog groupLog;
    private final PartitionLookup partitions;
    private final LongSupplier clock;

    // ---- state confined to `context`
    private final Map<Integer, PartitionState> partitionStates = new HashMap<>();
    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private long retentionTimer = -1;

    public GroupCoordinator(Context context, GroupConfig config, GroupLog groupLog, PartitionLookup partitions,
                            LongSupplier clock) {
        this.context = context;
        this.vertx = context.owner();
        this.config = config;
        this.groupLog = groupLog;
        this.partitions = partitions;
        this.clock = clock;
    }

    /** {@code __consumer_offsets} partition of a group: Kafka's {@code Utils.abs(hashCode) % n}. */
    public int partitionFor(String groupId) {
        return (groupId.hashCode() & 0x7fffffff) % config.offsetsTopicPartitions();
    }

    // =====================================================================================================
    // Lifecycle
    // =====================================================================================================

    /** Loads every partition (single node: this broker leads all of them) and starts offset expiration. */
    public Future<Void> startup() {
        return call(() -> {
            List<Future<Void>> loads = new ArrayList<>();
            for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
                loads.add(doLoad(p));
            }
            if (retentionTimer < 0) {
                retentionTimer = vertx.setPeriodic(config.offsetsRetentionCheckIntervalMs(),
                        id -> doExpireOffsets());
            }
            return Future.all(loads).mapEmpty();
        });
    }

    /** Becomes coordinator of a partition (its leader moved here): replays it, then serves its groups. */
    public Future<Void> loadPartition(int partition) {
        return call(() -> doLoad(partition));
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
                dropGroup(g, GroupErrors.NOT_COORDINATOR);
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
                dropGroup(g, GroupErrors.NOT_COORDINATOR);
            }
            partitionStates.clear();
            return Future.succeededFuture();
        });
    }

    private Future<Void> doLoad(int partition) {
        if (partitionStates.containsKey(partition)) {
            return Future.succeededFuture();
        }
        partitionStates.put(partition, PartitionState.LOADING);
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
                if (partitionStates.get(partition) != PartitionState.LOADING) {
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
                    partitionStates.put(partition, PartitionState.LOADED);
                    applied.complete();
                } catch (RuntimeException e) {
                    // a record we cannot read: refuse to serve the partition rather than serve wrong state
                    partitionStates.remove(partition);
                    log.error("group coordinator load failed partition=" + partition, e);
                    applied.fail(e);
                }
            });
            return applied.future();
        }, err -> {
            context.runOnContext(x -> partitionStates.remove(partition));
            log.error("group coordinator load failed partition=" + partition, err);
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
                scheduleHeartbeat(g, m);
            }
        }
        for (Map.Entry<String, Map<TopicPartition, OffsetValue>> e : offsets.entrySet()) {
            if (e.getValue().isEmpty() && !groupValues.containsKey(e.getKey())) {
                continue;
            }
            ClassicGroup g = groups.computeIfAbsent(e.getKey(), id -> new ClassicGroup(id, partition, now));
            g.offsets.putAll(e.getValue());
        }
        log.debug("group coordinator loaded partition=" + partition + " groups=" + groupValues.size());
    }

    // =====================================================================================================
    // FindCoordinator
    // =====================================================================================================

    public Future<List<CoordinatorResult>> findCoordinator(byte keyType, List<String> keys) {
        return call(() -> {
            List<CoordinatorResult> out = new ArrayList<>(keys.size());
            for (String key : keys) {
                if (keyType != KEY_TYPE_GROUP) {
                    out.add(new CoordinatorResult(key, GroupErrors.INVALID_REQUEST, -1));
                } else if (key == null) {
                    out.add(new CoordinatorResult("", GroupErrors.INVALID_GROUP_ID, -1));
                } else {
                    int p = partitionFor(key);
                    short error = partitionStates.containsKey(p) ? GroupErrors.NONE : GroupErrors.NOT_COORDINATOR;
                    out.add(new CoordinatorResult(key, error, p));
                }
            }
            return Future.succeededFuture(out);
        });
    }

    // =====================================================================================================
    // JoinGroup
    // =====================================================================================================

    public Future<JoinResult> joinGroup(JoinRequest req) {
        return call(() -> {
            short status = groupStatus(req.groupId(), true);
            if (status != GroupErrors.NONE) {
                return Future.succeededFuture(JoinResult.error(status, req.memberId()));
            }
            if (req.sessionTimeoutMs() < config.minSessionTimeoutMs()
                    || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
                return Future.succeededFuture(JoinResult.error(GroupErrors.INVALID_SESSION_TIMEOUT, req.memberId()));
            }
            boolean unknownMember = req.memberId().isEmpty();
            ClassicGroup group = groups.get(req.groupId());
            if (group == null) {
                if (!unknownMember) {
                    return Future.succeededFuture(JoinResult.error(GroupErrors.UNKNOWN_MEMBER_ID, req.memberId()));
                }
                group = new ClassicGroup(req.groupId(), partitionFor(req.groupId()), clock.getAsLong());
                groups.put(group.groupId, group);
            }
            // a known static instance rejoining replaces itself: it does not grow the group
            if (!acceptJoiningMember(group, req.memberId()) && !group.hasStaticMember(req.groupInstanceId())) {
                return Future.succeededFuture(JoinResult.error(GroupErrors.GROUP_MAX_SIZE_REACHED, req.memberId()));
            }
            Promise<JoinResult> promise = Promise.promise();
            if (unknownMember) {
                joinUnknownMember(group, req, promise);
            } else {
                joinKnownMember(group, req, promise);
            }
            // a group created by this join that ended up with nobody (e.g. INCONSISTENT_GROUP_PROTOCOL) is dropped
            if (group.is(GroupState.EMPTY) && group.members.isEmpty() && group.pendingMembers.isEmpty()
                    && group.offsets.isEmpty() && group.generationId == 0) {
                groups.remove(group.groupId);
            }
            return promise.future();
        });
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        return switch (group.state) {
            case EMPTY, DEAD -> true;
            case PREPARING_REBALANCE -> (group.has(memberId) && group.get(memberId).isAwaitingJoin())
                    || group.numAwaitingJoin() < config.maxSize();
            case COMPLETING_REBALANCE, STABLE -> group.has(memberId) || group.members.size() < config.maxSize();
        };
    }

    private void joinUnknownMember(ClassicGroup group, JoinRequest req, Promise<JoinResult> promise) {
        if (!group.supportsProtocols(req.protocolType(), req.protocols())) {
            promise.complete(JoinResult.error(GroupErrors.INCONSISTENT_GROUP_PROTOCOL, ""));
            return;
        }
        String newMemberId = req.clientId() + "-" + UUID.randomUUID();
        if (req.groupInstanceId() != null) {
            String oldMemberId = group.staticMembers.get(req.groupInstanceId());
            if (oldMemberId != null) {
                updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, req, promise);
            } else {
                addMemberAndRebalance(group, newMemberId, req, promise);
            }
        } else if (req.apiVersion() >= 4) {
            // KIP-394: hand out the id, expect the member back with it within the session timeout
            long timer = vertx.setTimer(Math.max(1, req.sessionTimeoutMs()), id -> expirePendingMember(group, newMemberId));
            group.pendingMembers.put(newMemberId, timer);
            promise.complete(JoinResult.error(GroupErrors.MEMBER_ID_REQUIRED, newMemberId));
        } else {
            addMemberAndRebalance(group, newMemberId, req, promise);
        }
    }

    private void joinKnownMember(ClassicGroup group, JoinRequest req, Promise<JoinResult> promise) {
        String memberId = req.memberId();
        if (group.is(GroupState.DEAD)) {
            promise.complete(JoinResult.error(GroupErrors.COORDINATOR_NOT_AVAILABLE, memberId));
        } else if (!group.supportsProtocols(req.protocolType(), req.protocols())) {
            promise.complete(JoinResult.error(GroupErrors.INCONSISTENT_GROUP_PROTOCOL, memberId));
        } else if (group.pendingMembers.containsKey(memberId)) {
            if (req.groupInstanceId() != null) {
                // pending ids are only handed to dynamic members
                promise.complete(JoinResult.error(GroupErrors.UNKNOWN_MEMBER_ID, memberId));
                return;
            }
            vertx.cancelTimer(group.pendingMembers.remove(memberId));
            addMemberAndRebalance(group, memberId, req, promise);
        } else if (group.isStaticMemberFenced(req.groupInstanceId(), memberId)) {
            promise.complete(JoinResult.error(GroupErrors.FENCED_INSTANCE_ID, memberId));
        } else if (!group.has(memberId)
                || (req.groupInstanceId() != null && !group.hasStaticMember(req.groupInstanceId()))) {
            promise.complete(JoinResult.error(GroupErrors.UNKNOWN_MEMBER_ID, memberId));
        } else {
            Member member = group.get(memberId);
            switch (group.state) {
                case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, req, promise);
                case COMPLETING_REBALANCE -> {
                    if (member.matches(req.protocols())) {
                        // the member lost the JoinGroup response: send it again
                        promise.complete(joinResponse(group, member.memberId, false));
                    } else {
                        updateMemberAndRebalance(group, member, req, promise);
                    }
                }
                case STABLE -> {
                    if (group.isLeader(memberId) || !member.matches(req.protocols())) {
                        // the leader rejoining, or changed metadata (e.g. subscription), forces a rebalance
                        updateMemberAndRebalance(group, member, req, promise);
                    } else {
                        // a follower rejoining with the same metadata: nothing changes
                        promise.complete(new JoinResult(GroupErrors.NONE, group.generationId, group.protocolType,
                                group.protocolName, group.leaderId, false, memberId, List.of()));
                    }
                }
                case EMPTY, DEAD -> promise.complete(JoinResult.error(GroupErrors.UNKNOWN_MEMBER_ID, memberId));
            }
        }
    }

    private JoinResult joinResponse(ClassicGroup group, String memberId, boolean skipAssignment) {
        boolean leader = group.isLeader(memberId);
        return new JoinResult(GroupErrors.NONE, group.generationId, group.protocolType, group.protocolName,
                group.leaderId, skipAssignment, memberId, leader ? group.currentMemberMetadata() : List.of());
    }

    private void addMemberAndRebalance(ClassicGroup group, String memberId, JoinRequest req,
                                       Promise<JoinResult> promise) {
        Member member = new Member(memberId, req.groupInstanceId(), req.clientId(), req.clientHost(),
                req.rebalanceTimeoutMs(), req.sessionTimeoutMs(), List.copyOf(req.protocols()));
        member.isNew = true;
        if (group.is(GroupState.PREPARING_REBALANCE) && group.generationId == 0) {
            group.newMemberAdded = true;
        }
        group.add(member, req.protocolType());
        member.awaitingJoin = promise;
        scheduleHeartbeat(group, member);
        maybePrepareRebalance(group, "adding new member " + memberId);
        tryCompleteJoin(group);
    }

    private void updateMemberAndRebalance(ClassicGroup group, Member member, JoinRequest req,
                                          Promise<JoinResult> promise) {
        updateMember(member, req, promise);
        maybePrepareRebalance(group, "updating metadata for member " + member.memberId);
        tryCompleteJoin(group);
    }

    private void updateMember(Member member, JoinRequest req, Promise<JoinResult> promise) {
        member.protocols = List.copyOf(req.protocols());
        member.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
        member.sessionTimeoutMs = req.sessionTimeoutMs();
        if (member.awaitingJoin != null && member.awaitingJoin != promise) {
            // a superseded JoinGroup must still be answered (responses are ordered per connection)
            member.awaitingJoin.tryComplete(JoinResult.error(GroupErrors.REBALANCE_IN_PROGRESS, member.memberId));
        }
        member.awaitingJoin = promise;
    }

    private void updateStaticMemberAndRebalance(ClassicGroup group, String oldMemberId, String newMemberId,
                                                JoinRequest req, Promise<JoinResult> promise) {
        String currentLeader = group.leaderId;
        Member old = group.replaceStaticMember(req.groupInstanceId(), oldMemberId, newMemberId);
        // the old incarnation's parked requests are fenced
        if (old.awaitingJoin != null) {
            old.awaitingJoin.tryComplete(JoinResult.error(GroupErrors.FENCED_INSTANCE_ID, oldMemberId));
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.tryComplete(SyncResult.error(GroupErrors.FENCED_INSTANCE_ID));
        }
        Member member = group.get(newMemberId);
        scheduleHeartbeat(group, member);
        List<GroupMessages.Protocol> oldProtocols = member.protocols;
        int oldRebalanceTimeout = member.rebalanceTimeoutMs;
        int oldSessionTimeout = member.sessionTimeoutMs;
        updateMember(member, req, promise);
        switch (group.state) {
            case STABLE -> {
                String selected = group.selectProtocol();
                if (selected.equals(group.protocolName)) {
                    // same protocol next generation: persist the new member id, keep everyone's assignment
                    Map<String, byte[]> assignment = currentAssignment(group);
                    int generation = group.generationId;
                    storeGroup(group, assignment).onComplete(ar -> {
                        if (member.awaitingJoin != promise) {
                            return;
                        }
                        if (ar.failed()) {
                            // revert to the old incarnation, which stays the group's member
                            if (group.has(newMemberId) && group.generationId == generation) {
                                group.replaceStaticMember(req.groupInstanceId(), newMemberId, oldMemberId);
                                Member reverted = group.get(oldMemberId);
                                reverted.protocols = oldProtocols;
                                reverted.rebalanceTimeoutMs = oldRebalanceTimeout;
                                reverted.sessionTimeoutMs = oldSessionTimeout;
                                scheduleHeartbeat(group, reverted);
                            }
                            member.awaitingJoin = null;
                            promise.tryComplete(JoinResult.error(storeError(ar.cause()), ""));
                            return;
                        }
                        member.awaitingJoin = null;
                        boolean isLeader = group.isLeader(newMemberId);
                        if (req.apiVersion() >= 9) {
                            // KIP-814: the leader learns the members but must not reassign
                            promise.tryComplete(new JoinResult(GroupErrors.NONE, group.generationId,
                                    group.protocolType, group.protocolName, group.leaderId, isLeader, newMemberId,
                                    isLeader ? group.currentMemberMetadata() : List.of()));
                        } else {
                            // older clients must not reassign either: report the previous leader id
                            promise.tryComplete(new JoinResult(GroupErrors.NONE, group.generationId,
                                    group.protocolType, group.protocolName, currentLeader, false, newMemberId,
                                    List.of()));
                        }
                    });
                } else {
                    maybePrepareRebalance(group, "static member " + req.groupInstanceId() + " changed protocol");
                }
            }
            case COMPLETING_REBALANCE -> prepareRebalance(group, "static member " + req.groupInstanceId()
                    + " rejoined during CompletingRebalance");
            case PREPARING_REBALANCE -> tryCompleteJoin(group);
            case EMPTY, DEAD -> throw new IllegalStateException("static member in " + group.state + " group");
        }
    }

    private void expirePendingMember(ClassicGroup group, String memberId) {
        if (group.pendingMembers.remove(memberId) != null) {
            log.debug("pending member expired group=" + group.groupId + " member=" + memberId);
            if (group.is(GroupState.PREPARING_REBALANCE)) {
                tryCompleteJoin(group);
            }
            maybeDropEmptyGroup(group);
        }
    }

    // =====================================================================================================
    // Rebalance machinery
    // =====================================================================================================

    private void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.canRebalance()) {
            prepareRebalance(group, reason);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentError(group, GroupErrors.REBALANCE_IN_PROGRESS);
        }
        cancelPendingSync(group);
        cancelJoinTimer(group);
        boolean initial = group.is(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, clock.getAsLong());
        log.info("preparing rebalance group=" + group.groupId + " generation=" + group.generationId
                + " reason=\"" + reason + "\"");
        if (initial) {
            int delay = config.initialRebalanceDelayMs();
            scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
        } else {
            scheduleJoin(group, group.rebalanceTimeoutMs());
        }
    }

    private void scheduleInitialJoin(ClassicGroup group, long delayMs, long remainingMs) {
        group.initialDelayPhase = true;
        group.joinTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
            if (group.joinTimer != id) {
                return;
            }
            group.joinTimer = -1;
            if (group.newMemberAdded && remainingMs != 0) {
                group.newMemberAdded = false;
                long delay = Math.min(config.initialRebalanceDelayMs(), remainingMs);
                scheduleInitialJoin(group, delay, Math.max(remainingMs - delayMs, 0));
            } else {
                group.initialDelayPhase = false;
                onCompleteJoin(group);
            }
        });
    }

    private void scheduleJoin(ClassicGroup group, long timeoutMs) {
        group.initialDelayPhase = false;
        group.joinTimer = vertx.setTimer(Math.max(1, timeoutMs), id -> {
            if (group.joinTimer == id) {
                group.joinTimer = -1;
                onCompleteJoin(group);
            }
        });
    }

    private void cancelJoinTimer(ClassicGroup group) {
        if (group.joinTimer >= 0) {
            vertx.cancelTimer(group.joinTimer);
            group.joinTimer = -1;
        }
        group.initialDelayPhase = false;
    }

    private void tryCompleteJoin(ClassicGroup group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.initialDelayPhase && group.hasAllMembersJoined()) {
            cancelJoinTimer(group);
            onCompleteJoin(group);
        }
    }

    private void onCompleteJoin(ClassicGroup group) {
        if (!group.is(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        // dynamic members that did not rejoin in time are gone; static ones stay until their session expires
        for (String memberId : group.notYetRejoinedDynamicMembers()) {
            Member m = group.get(memberId);
            cancelHeartbeat(m);
            group.remove(memberId);
        }
        if (!group.maybeElectNewJoinedLeader() && !group.members.isEmpty()) {
            // nobody rejoined: wait another round for session expiry to clear out the static members
            log.warn("group=" + group.groupId + " rebalance: no member rejoined, waiting again");
            scheduleJoin(group, group.rebalanceTimeoutMs());
            return;
        }
        long now = clock.getAsLong();
        group.generationId++;
        group.pendingSyncMembers.clear();
        if (group.members.isEmpty()) {
            group.protocolName = null;
            group.leaderId = null;
            group.transitionTo(GroupState.EMPTY, now);
            log.info("group=" + group.groupId + " generation=" + group.generationId + " is now empty");
            storeGroup(group, Map.of()).onFailure(err -> log.warn("failed to store empty group=" + group.groupId
                    + ": " + err));
            maybeDropEmptyGroup(group);
            return;
        }
        group.protocolName = group.selectProtocol();
        group.transitionTo(GroupState.COMPLETING_REBALANCE, now);
        log.info("group=" + group.groupId + " generation=" + group.generationId + " protocol=" + group.protocolName
                + " members=" + group.members.size() + " leader=" + group.leaderId);
        for (Member m : group.members.values()) {
            Promise<JoinResult> p = m.awaitingJoin;
            m.awaitingJoin = null;
            m.isNew = false;
            if (p != null) {
                p.tryComplete(joinResponse(group, m.memberId, false));
            }
            scheduleHeartbeat(group, m);
            group.pendingSyncMembers.add(m.memberId);
        }
        schedulePendingSync(group);
    }

    private void schedulePendingSync(ClassicGroup group) {
        cancelPendingSync(group);
        int generation = group.generationId;
        group.pendingSyncTimer = vertx.setTimer(Math.max(1, group.rebalanceTimeoutMs()), id -> {
            if (group.pendingSyncTimer != id) {
                return;
            }
            group.pendingSyncTimer = -1;
            if (group.generationId != generation || group.pendingSyncMembers.isEmpty()) {
                return;
            }
            if (group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.STABLE)) {
                log.info("group=" + group.groupId + " members did not sync in time: " + group.pendingSyncMembers);
                for (String memberId : List.copyOf(group.pendingSyncMembers)) {
                    removeMember(group, group.get(memberId));
                }
                prepareRebalance(group, "members did not send SyncGroup in time");
            }
        });
    }

    private void cancelPendingSync(ClassicGroup group) {
        if (group.pendingSyncTimer >= 0) {
            vertx.cancelTimer(group.pendingSyncTimer);
            group.pendingSyncTimer = -1;
        }
    }

    private void resetAndPropagateAssignmentError(ClassicGroup group, short error) {
        for (Member m : group.members.values()) {
            m.assignment = new byte[0];
        }
        propagateAssignment(group, error);
    }

    private void propagateAssignment(ClassicGroup group, short error) {
        for (Member m : group.members.values()) {
            Promise<SyncResult> p = m.awaitingSync;
            if (p != null) {
                m.awaitingSync = null;
                p.tryComplete(error == GroupErrors.NONE
                        ? new SyncResult(GroupErrors.NONE, group.protocolType, group.protocolName, m.assignment)
                        : SyncResult.error(error));
                scheduleHeartbeat(group, m);
            }
        }
    }

    /** Removes a member from the group and lets the state machine react (Kafka's removeMemberAndUpdateGroup). */
    private void removeMemberAndUpdateGroup(ClassicGroup group, Member member, String reason) {
        removeMember(group, member);
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> maybePrepareRebalance(group, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(group);
            case EMPTY, DEAD -> {
            }
        }
    }

    private void removeMember(ClassicGroup group, Member member) {
        if (member == null) {
            return;
        }
        cancelHeartbeat(member);
        if (member.awaitingJoin != null) {
            member.awaitingJoin.tryComplete(JoinResult.error(GroupErrors.UNKNOWN_MEMBER_ID, member.memberId));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            member.awaitingSync.tryComplete(SyncResult.error(GroupErrors.UNKNOWN_MEMBER_ID));
            member.awaitingSync = null;
        }
        group.remove(member.memberId);
    }

    // ---- heartbeats / session expiry

    private void scheduleHeartbeat(ClassicGroup group, Member member) {
        cancelHeartbeat(member);
        long timeout = member.isNew ? config.newMemberJoinTimeoutMs() : member.sessionTimeoutMs;
        member.heartbeatTimer = vertx.setTimer(Math.max(1, timeout), id -> {
            if (member.heartbeatTimer != id) {
                return;
            }
            member.heartbeatTimer = -1;
            if (group.get(member.memberId) != member) {
                return;
            }
            if (!member.isNew && (member.isAwaitingJoin() || member.isAwaitingSync())) {
                // members parked in a rebalance need no heartbeats; the rebalance reschedules them
                return;
            }
            log.info("member session expired group=" + group.groupId + " member=" + member.memberId);
            removeMemberAndUpdateGroup(group, member, "removing member " + member.memberId + " on heartbeat expiration");
            maybeDropEmptyGroup(group);
        });
    }

    private void cancelHeartbeat(Member member) {
        if (member.heartbeatTimer >= 0) {
            vertx.cancelTimer(member.heartbeatTimer);
            member.heartbeatTimer = -1;
        }
    }

    // =====================================================================================================
    // SyncGroup
    // =====================================================================================================

    public Future<SyncResult> syncGroup(SyncRequest req) {
        return call(() -> {
            short status = groupStatus(req.groupId(), true);
            if (status != GroupErrors.NONE) {
                return Future.succeededFuture(SyncResult.error(status));
            }
            ClassicGroup group = groups.get(req.groupId());
            if (group == null) {
                return Future.succeededFuture(SyncResult.error(GroupErrors.UNKNOWN_MEMBER_ID));
            }
            String memberId = req.memberId();
            short error;
            if (group.is(GroupState.DEAD)) {
                error = GroupErrors.COORDINATOR_NOT_AVAILABLE;
            } else if (group.isStaticMemberFenced(req.groupInstanceId(), memberId)) {
                error = GroupErrors.FENCED_INSTANCE_ID;
            } else if (!group.has(memberId)) {
                error = GroupErrors.UNKNOWN_MEMBER_ID;
            } else if (req.generationId() != group.generationId) {
                error = GroupErrors.ILLEGAL_GENERATION;
            } else if ((req.protocolType() != null && !req.protocolType().equals(group.protocolType))
                    || (req.protocolName() != null && !req.protocolName().equals(group.protocolName))) {
                error = GroupErrors.INCONSISTENT_GROUP_PROTOCOL;
            } else {
                error = GroupErrors.NONE;
            }
            if (error != GroupErrors.NONE) {
                return Future.succeededFuture(SyncResult.error(error));
            }
            Member member = group.get(memberId);
            switch (group.state) {
                case EMPTY -> {
                    return Future.succeededFuture(SyncResult.error(GroupErrors.UNKNOWN_MEMBER_ID));
                }
                case PREPARING_REBALANCE -> {
                    return Future.succeededFuture(SyncResult.error(GroupErrors.REBALANCE_IN_PROGRESS));
                }
                case COMPLETING_REBALANCE -> {
                    Promise<SyncResult> promise = Promise.promise();
                    if (member.awaitingSync != null) {
                        member.awaitingSync.tryComplete(SyncResult.error(GroupErrors.REBALANCE_IN_PROGRESS));
                    }
                    member.awaitingSync = promise;
                    group.pendingSyncMembers.remove(memberId);
                    if (group.isLeader(memberId)) {
                        completeLeaderSync(group, req);
                    }
                    return promise.future();
                }
                case STABLE -> {
                    group.pendingSyncMembers.remove(memberId);
                    scheduleHeartbeat(group, member);
                    return Future.succeededFuture(new SyncResult(GroupErrors.NONE, group.protocolType,
                            group.protocolName, member.assignment));
                }
                default -> throw new IllegalStateException("sync in " + group.state);
            }
        });
    }

    private void completeLeaderSync(ClassicGroup group, SyncRequest req) {
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        for (String memberId : group.members.keySet()) {
            byte[] a = req.assignments().get(memberId);
            assignment.put(memberId, a == null ? new byte[0] : a);
        }
        int generation = group.generationId;
        storeGroup(group, assignment).onComplete(ar -> {
            // the group may have moved on while the write was in flight
            if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId != generation
                    || groups.get(group.groupId) != group) {
                return;
            }
            if (ar.failed()) {
                resetAndPropagateAssignmentError(group, storeError(ar.cause()));
                maybePrepareRebalance(group, "error storing the assignment of generation " + generation);
            } else {
                for (Member m : group.members.values()) {
                    byte[] a = assignment.get(m.memberId);
                    m.assignment = a == null ? new byte[0] : a;
                }
                propagateAssignment(group, GroupErrors.NONE);
                group.transitionTo(GroupState.STABLE, clock.getAsLong());
                log.info("group=" + group.groupId + " generation=" + generation + " is stable");
            }
        });
    }

    // =====================================================================================================
    // Heartbeat, LeaveGroup
    // =====================================================================================================

    public Future<Short> heartbeat(HeartbeatRequest req) {
        return call(() -> {
            short status = groupStatus(req.groupId(), true);
            if (status != GroupErrors.NONE) {
                return Future.succeededFuture(status);
            }
            ClassicGroup group = groups.get(req.groupId());
            if (group == null) {
                return Future.succeededFuture(GroupErrors.UNKNOWN_MEMBER_ID);
            }
            String memberId = req.memberId();
            if (group.is(GroupState.DEAD)) {
                return Future.succeededFuture(GroupErrors.COORDINATOR_NOT_AVAILABLE);
            } else if (group.isStaticMemberFenced(req.groupInstanceId(), memberId)) {
                return Future.succeededFuture(GroupErrors.FENCED_INSTANCE_ID);
            } else if (!group.has(memberId)) {
                return Future.succeededFuture(GroupErrors.UNKNOWN_MEMBER_ID);
            } else if (req.generationId() != group.generationId) {
                return Future.succeededFuture(GroupErrors.ILLEGAL_GENERATION);
            }
            Member member = group.get(memberId);
            return switch (group.state) {
                case EMPTY -> Future.succeededFuture(GroupErrors.UNKNOWN_MEMBER_ID);
                case COMPLETING_REBALANCE, STABLE -> {
                    scheduleHeartbeat(group, member);
                    yield Future.succeededFuture(GroupErrors.NONE);
                }
                case PREPARING_REBALANCE -> {
                    scheduleHeartbeat(group, member);
                    yield Future.succeededFuture(GroupErrors.REBALANCE_IN_PROGRESS);
                }
                case DEAD -> Future.succeededFuture(GroupErrors.COORDINATOR_NOT_AVAILABLE);
            };
        });
    }

    public Future<LeaveResult> leaveGroup(String groupId, List<MemberIdentity> leaving) {
        return call(() -> {
            short status = groupStatus(groupId, true);
            if (status != GroupErrors.NONE) {
                return Future.succeededFuture(new LeaveResult(status, List.of()));
            }
            ClassicGroup group = groups.get(groupId);
            List<LeaveMemberResult> results = new ArrayList<>(leaving.size());
            if (group == null) {
                for (MemberIdentity m : leaving) {
                    results.add(new LeaveMemberResult(m.memberId(), m.groupInstanceId(), GroupErrors.UNKNOWN_MEMBER_ID));
                }
                return Future.succeededFuture(new LeaveResult(GroupErrors.NONE, results));
            }
            if (group.is(GroupState.DEAD)) {
                return Future.succeededFuture(new LeaveResult(GroupErrors.COORDINATOR_NOT_AVAILABLE, List.of()));
            }
            for (MemberIdentity m : leaving) {
                String memberId = m.memberId();
                String instanceId = m.groupInstanceId();
                short error;
                if (memberId.isEmpty()) {
                    String current = instanceId == null ? null : group.staticMembers.get(instanceId);
                    if (current != null) {
                        removeMemberAndUpdateGroup(group, group.get(current), "static member " + instanceId
                                + " removed by LeaveGroup");
                        error = GroupErrors.NONE;
                    } else {
                        error = GroupErrors.UNKNOWN_MEMBER_ID;
                    }
                } else if (group.pendingMembers.containsKey(memberId)) {
                    vertx.cancelTimer(group.pendingMembers.remove(memberId));
                    if (group.is(GroupState.PREPARING_REBALANCE)) {
                        tryCompleteJoin(group);
                    }
                    error = GroupErrors.NONE;
                } else if (group.isStaticMemberFenced(instanceId, memberId)) {
                    error = GroupErrors.FENCED_INSTANCE_ID;
                } else if (group.has(memberId)) {
                    removeMemberAndUpdateGroup(group, group.get(memberId), "member " + memberId + " left");
                    error = GroupErrors.NONE;
                } else {
                    error = GroupErrors.UNKNOWN_MEMBER_ID;
                }
                results.add(new LeaveMemberResult(memberId, instanceId, error));
            }
            maybeDropEmptyGroup(group);
            return Future.succeededFuture(new LeaveResult(GroupErrors.NONE, results));
        });
    }

    // =====================================================================================================
    // Offsets
    // =====================================================================================================

    /** OffsetCommit: answers once the records are appended; nothing is visible to OffsetFetch before that. */
    public Future<List<PartitionError>> commitOffsets(OffsetCommitRequest req) {
        return call(() -> {
            short status = groupStatus(req.groupId(), true);
            if (status != GroupErrors.NONE) {
                return Future.succeededFuture(allPartitions(req.offsets(), status));
            }
            ClassicGroup group = groups.get(req.groupId());
            if (group == null) {
                if (req.generationId() < 0) {
                    // a "simple" group: offsets without group management (admin client, manual assignment)
                    group = new ClassicGroup(req.groupId(), partitionFor(req.groupId()), clock.getAsLong());
                    groups.put(group.groupId, group);
                } else {
                    short error = req.apiVersion() >= 9 ? GroupErrors.GROUP_ID_NOT_FOUND : GroupErrors.ILLEGAL_GENERATION;
                    return Future.succeededFuture(allPartitions(req.offsets(), error));
                }
            }
            short error = validateOffsetCommit(group, req);
            if (error != GroupErrors.NONE) {
                Future<List<PartitionError>> result = Future.succeededFuture(allPartitions(req.offsets(), error));
                maybeDropEmptyGroup(group);
                return result;
            }
            Member member = group.get(req.memberId());
            if (member != null) {
                scheduleHeartbeat(group, member);
            }
            return storeOffsets(group, req);
        });
    }

    private short validateOffsetCommit(ClassicGroup group, OffsetCommitRequest req) {
        if (group.is(GroupState.DEAD)) {
            return GroupErrors.COORDINATOR_NOT_AVAILABLE;
        }
        if (req.generationId() < 0 && group.is(GroupState.EMPTY)) {
            return GroupErrors.NONE;
        }
        if (req.generationId() >= 0 || !req.memberId().isEmpty() || req.groupInstanceId() != null) {
            if (group.isStaticMemberFenced(req.groupInstanceId(), req.memberId())) {
                return GroupErrors.FENCED_INSTANCE_ID;
            }
            if (!group.has(req.memberId())) {
                return GroupErrors.UNKNOWN_MEMBER_ID;
            }
            if (req.generationId() != group.generationId) {
                return GroupErrors.ILLEGAL_GENERATION;
            }
        } else if (!group.is(GroupState.EMPTY)) {
            // no member id and no generation: only an empty group takes such commits
            return GroupErrors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // the member knows the new generation but has no assignment yet
            return GroupErrors.REBALANCE_IN_PROGRESS;
        }
        return GroupErrors.NONE;
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
                error = GroupErrors.OFFSET_METADATA_TOO_LARGE;
            } else if (!partitions.exists(o.topic(), o.partition())) {
                error = GroupErrors.UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                error = GroupErrors.NONE;
                OffsetValue v = new OffsetValue(o.offset(), o.leaderEpoch(), metadata, now, expire);
                records.add(new GroupLog.Record(GroupRecords.offsetKey(group.groupId, o.topic(), o.partition()),
                        GroupRecords.offsetValue(v)));
                toApply.put(new TopicPartition(o.topic(), o.partition()), v);
                written.add(results.size());
            }
            results.add(new PartitionError(o.topic(), o.partition(), error));
        }
        if (records.isEmpty()) {
            maybeDropEmptyGroup(group);
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
            short error = storeError(ar.cause());
            List<PartitionError> failed = new ArrayList<>(results);
            for (int i : written) {
                PartitionError pe = failed.get(i);
                failed.set(i, new PartitionError(pe.topic(), pe.partition(), error));
            }
            maybeDropEmptyGroup(group);
            return Future.succeededFuture(failed);
        });
    }

    /**
     * OffsetFetch for several groups (v8+; older versions send one). {@code requireStable} only matters for
     * transactional commits, which this coordinator does not take yet, so every offset is stable.
     */
    public Future<List<OffsetFetchGroupResult>> fetchOffsets(List<OffsetFetchGroup> requests, boolean requireStable) {
        return call(() -> {
            List<OffsetFetchGroupResult> out = new ArrayList<>(requests.size());
            for (OffsetFetchGroup req : requests) {
                short status = groupStatus(req.groupId(), false);
                if (status != GroupErrors.NONE) {
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
                out.add(new OffsetFetchGroupResult(req.groupId(), GroupErrors.NONE, fetched));
            }
            return Future.succeededFuture(out);
        });
    }

    private static FetchedOffset fetched(TopicPartition tp, OffsetValue v) {
        if (v == null) {
            return new FetchedOffset(tp.topic(), tp.partition(), -1, -1, "", GroupErrors.NONE);
        }
        return new FetchedOffset(tp.topic(), tp.partition(), v.offset(), v.leaderEpoch(), v.metadata(), GroupErrors.NONE);
    }

    /** OffsetDelete: allowed for empty groups; a group with members answers NON_EMPTY_GROUP (metadata is opaque,
     * so subscriptions are unknown, as Kafka does for non-consumer protocol types). */
    public Future<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> toDelete) {
        return call(() -> {
            short status = groupStatus(groupId, false);
            if (status != GroupErrors.NONE) {
                return Future.succeededFuture(new OffsetDeleteResult(status, List.of()));
            }
            ClassicGroup group = groups.get(groupId);
            if (group == null || group.is(GroupState.DEAD)) {
                return Future.succeededFuture(new OffsetDeleteResult(GroupErrors.GROUP_ID_NOT_FOUND, List.of()));
            }
            if (!group.is(GroupState.EMPTY)) {
                return Future.succeededFuture(new OffsetDeleteResult(GroupErrors.NON_EMPTY_GROUP, List.of()));
            }
            List<GroupLog.Record> tombstones = new ArrayList<>();
            List<PartitionError> results = new ArrayList<>();
            for (TopicPartition tp : toDelete) {
                if (group.offsets.containsKey(tp)) {
                    tombstones.add(new GroupLog.Record(GroupRecords.offsetKey(groupId, tp.topic(), tp.partition()), null));
                }
                results.add(new PartitionError(tp.topic(), tp.partition(), GroupErrors.NONE));
            }
            if (tombstones.isEmpty()) {
                return Future.succeededFuture(new OffsetDeleteResult(GroupErrors.NONE, results));
            }
            return groupLog.append(group.partition, tombstones).transform(ar -> {
                if (ar.failed()) {
                    return Future.succeededFuture(new OffsetDeleteResult(storeError(ar.cause()), List.of()));
                }
                for (TopicPartition tp : toDelete) {
                    group.offsets.remove(tp);
                }
                return Future.succeededFuture(new OffsetDeleteResult(GroupErrors.NONE, results));
            });
        });
    }

    /**
     * Offset retention (Kafka's rules, KIP-211): in an empty group with a protocol type, offsets expire
     * {@code offsets.retention.minutes} after the group became empty; in a simple group (no protocol type),
     * that long after their commit; a commit carrying its own retention expires at its expire timestamp. An empty
     * group left without offsets is deleted (tombstoned). Runs every {@code offsets.retention.check.interval.ms};
     * public for tests and operators.
     */
    public Future<Integer> expireOffsets() {
        return call(this::doExpireOffsets);
    }

    private Future<Integer> doExpireOffsets() {
        long now = clock.getAsLong();
        long retention = config.offsetsRetentionMs();
        List<Future<Void>> writes = new ArrayList<>();
        int expiredCount = 0;
        for (ClassicGroup group : new ArrayList<>(groups.values())) {
            if (partitionStates.get(group.partition) != PartitionState.LOADED || !group.is(GroupState.EMPTY)) {
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
            log.info("expired offsets count=" + expiredCount);
        }
        int count = expiredCount;
        return Future.join(writes).transform(ar -> Future.succeededFuture(count));
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
            short error = partitionStates.containsValue(PartitionState.LOADING)
                    ? GroupErrors.COORDINATOR_LOAD_IN_PROGRESS : GroupErrors.NONE;
            List<ListedGroup> out = new ArrayList<>();
            boolean typeOk = typesFilter.isEmpty() || typesFilter.stream().anyMatch(t -> t.equalsIgnoreCase("classic"));
            Set<String> states = new java.util.HashSet<>();
            for (String s : statesFilter) {
                states.add(s.toLowerCase(Locale.ROOT));
            }
            if (typeOk) {
                for (ClassicGroup g : groups.values()) {
                    if (partitionStates.get(g.partition) != PartitionState.LOADED) {
                        continue;
                    }
                    if (!states.isEmpty() && !states.contains(g.state.kafkaName().toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    out.add(new ListedGroup(g.groupId, g.protocolType == null ? "" : g.protocolType,
                            g.state.kafkaName(), "classic"));
                }
            }
            out.sort(java.util.Comparator.comparing(ListedGroup::groupId));
            return Future.succeededFuture(new ListGroupsResult(error, out));
        });
    }

    /** @param apiVersion DescribeGroups version: v6+ answers GROUP_ID_NOT_FOUND for unknown groups (KIP-1043) */
    public Future<List<DescribedGroup>> describeGroups(List<String> groupIds, int apiVersion) {
        return call(() -> {
            List<DescribedGroup> out = new ArrayList<>(groupIds.size());
            for (String groupId : groupIds) {
                short status = groupStatus(groupId, false);
                ClassicGroup g = status == GroupErrors.NONE ? groups.get(groupId) : null;
                if (status != GroupErrors.NONE) {
                    out.add(new DescribedGroup(status, groupId, "", "", "", List.of()));
                } else if (g == null || g.is(GroupState.DEAD)) {
                    short error = apiVersion >= 6 ? GroupErrors.GROUP_ID_NOT_FOUND : GroupErrors.NONE;
                    out.add(new DescribedGroup(error, groupId, GroupState.DEAD.kafkaName(), "", "", List.of()));
                } else {
                    boolean stable = g.is(GroupState.STABLE);
                    List<DescribedMember> members = new ArrayList<>();
                    for (Member m : g.members.values()) {
                        members.add(new DescribedMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                                stable ? m.metadata(g.protocolName) : new byte[0],
                                stable ? m.assignment : new byte[0]));
                    }
                    out.add(new DescribedGroup(GroupErrors.NONE, groupId, g.state.kafkaName(),
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
                short status = groupStatus(groupId, false);
                ClassicGroup g = status == GroupErrors.NONE ? groups.get(groupId) : null;
                if (status != GroupErrors.NONE) {
                    results.add(Future.succeededFuture(new GroupError(groupId, status)));
                } else if (g == null || g.is(GroupState.DEAD)) {
                    results.add(Future.succeededFuture(new GroupError(groupId, GroupErrors.GROUP_ID_NOT_FOUND)));
                } else if (!g.is(GroupState.EMPTY)) {
                    results.add(Future.succeededFuture(new GroupError(groupId, GroupErrors.NON_EMPTY_GROUP)));
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
                            return Future.succeededFuture(new GroupError(groupId, GroupErrors.NONE));
                        }
                        // not durable: the group is still there for whoever reads the log, so keep it here too
                        g.state = GroupState.EMPTY;
                        groups.putIfAbsent(groupId, g);
                        return Future.succeededFuture(new GroupError(groupId, storeError(ar.cause())));
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
        try {
            return body.get();
        } catch (RuntimeException e) {
            log.error("group coordinator failure", e);
            return Future.failedFuture(e);
        }
    }

    /** INVALID_GROUP_ID, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS, else NONE. */
    private short groupStatus(String groupId, boolean requireNonEmpty) {
        if (groupId == null || (requireNonEmpty && groupId.isEmpty())) {
            return GroupErrors.INVALID_GROUP_ID;
        }
        PartitionState ps = partitionStates.get(partitionFor(groupId));
        if (ps == null) {
            return GroupErrors.NOT_COORDINATOR;
        }
        return ps == PartitionState.LOADING ? GroupErrors.COORDINATOR_LOAD_IN_PROGRESS : GroupErrors.NONE;
    }

    private static List<PartitionError> allPartitions(List<PartitionOffset> offsets, short error) {
        List<PartitionError> out = new ArrayList<>(offsets.size());
        for (PartitionOffset o : offsets) {
            out.add(new PartitionError(o.topic(), o.partition(), error));
        }
        return out;
    }

    private static Map<String, byte[]> currentAssignment(ClassicGroup group) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Member m : group.members.values()) {
            out.put(m.memberId, m.assignment);
        }
        return out;
    }

    private Future<Void> storeGroup(ClassicGroup group, Map<String, byte[]> assignment) {
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
    private static short storeError(Throwable cause) {
        return GroupErrors.COORDINATOR_NOT_AVAILABLE;
    }

    /** A group with no members, no pending members and no offsets that never stored anything is forgotten. */
    private void maybeDropEmptyGroup(ClassicGroup group) {
        if (group.is(GroupState.EMPTY) && group.members.isEmpty() && group.pendingMembers.isEmpty()
                && group.offsets.isEmpty() && group.generationId == 0 && groups.get(group.groupId) == group) {
            groups.remove(group.groupId);
        }
    }

    private void dropGroup(ClassicGroup g, short error) {
        cancelJoinTimer(g);
        cancelPendingSync(g);
        for (Long t : g.pendingMembers.values()) {
            vertx.cancelTimer(t);
        }
        for (Member m : g.members.values()) {
            cancelHeartbeat(m);
            if (m.awaitingJoin != null) {
                m.awaitingJoin.tryComplete(JoinResult.error(error, m.memberId));
                m.awaitingJoin = null;
            }
            if (m.awaitingSync != null) {
                m.awaitingSync.tryComplete(SyncResult.error(error));
                m.awaitingSync = null;
            }
        }
        groups.remove(g.groupId);
    }

    /** Test hook: the state of a group, on the coordinator's context. */
    Future<GroupState> stateOf(String groupId) {
        return call(() -> {
            ClassicGroup g = groups.get(groupId);
            return Future.succeededFuture(g == null ? GroupState.DEAD : g.state);
        });
    }
}
