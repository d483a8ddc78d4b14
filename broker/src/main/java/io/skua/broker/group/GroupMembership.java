package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.HeartbeatRequest;
import io.skua.broker.group.GroupMessages.JoinRequest;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.LeaveMemberResult;
import io.skua.broker.group.GroupMessages.LeaveResult;
import io.skua.broker.group.GroupMessages.MemberIdentity;
import io.skua.broker.group.GroupMessages.SyncRequest;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The classic rebalance protocol: JoinGroup, SyncGroup, Heartbeat and LeaveGroup, with the rebalance, session,
 * pending-member and pending-sync timers. Kafka's state machine, method for method where it helps a reader compare
 * (see docs/groups.md). Runs on the coordinator's context only; {@link GroupCoordinator} is the public face.
 */
final class GroupMembership {
    private static final System.Logger log = System.getLogger(GroupMembership.class.getName());

    private final GroupRegistry registry;
    private final Map<String, ClassicGroup> groups;
    private final Vertx vertx;
    private final GroupConfig config;
    private final LongSupplier clock;

    GroupMembership(GroupRegistry registry) {
        this.registry = registry;
        this.groups = registry.groups;
        this.vertx = registry.vertx;
        this.config = registry.config;
        this.clock = registry.clock;
    }

    // =====================================================================================================
    // JoinGroup
    // =====================================================================================================

    Future<JoinResult> joinGroup(JoinRequest req) {
        short status = registry.groupStatus(req.groupId(), true);
        if (status != Errors.NONE) {
            return Future.succeededFuture(JoinResult.error(status, req.memberId()));
        }
        if (req.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return Future.succeededFuture(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, req.memberId()));
        }
        boolean unknownMember = req.memberId().isEmpty();
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            if (!unknownMember) {
                return Future.succeededFuture(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, req.memberId()));
            }
            group = new ClassicGroup(req.groupId(), registry.partitionFor(req.groupId()), clock.getAsLong());
            groups.put(group.groupId, group);
        }
        // a known static instance rejoining replaces itself: it does not grow the group
        if (!acceptJoiningMember(group, req.memberId()) && !group.hasStaticMember(req.groupInstanceId())) {
            return Future.succeededFuture(JoinResult.error(Errors.GROUP_MAX_SIZE_REACHED, req.memberId()));
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
            promise.complete(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, ""));
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
            promise.complete(JoinResult.error(Errors.MEMBER_ID_REQUIRED, newMemberId));
        } else {
            addMemberAndRebalance(group, newMemberId, req, promise);
        }
    }

    private void joinKnownMember(ClassicGroup group, JoinRequest req, Promise<JoinResult> promise) {
        String memberId = req.memberId();
        if (group.is(GroupState.DEAD)) {
            promise.complete(JoinResult.error(Errors.COORDINATOR_NOT_AVAILABLE, memberId));
        } else if (!group.supportsProtocols(req.protocolType(), req.protocols())) {
            promise.complete(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
        } else if (group.pendingMembers.containsKey(memberId)) {
            if (req.groupInstanceId() != null) {
                // pending ids are only handed to dynamic members
                promise.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
                return;
            }
            vertx.cancelTimer(group.pendingMembers.remove(memberId));
            addMemberAndRebalance(group, memberId, req, promise);
        } else if (group.isStaticMemberFenced(req.groupInstanceId(), memberId)) {
            promise.complete(JoinResult.error(Errors.FENCED_INSTANCE_ID, memberId));
        } else if (!group.has(memberId)
                || (req.groupInstanceId() != null && !group.hasStaticMember(req.groupInstanceId()))) {
            promise.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
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
                        promise.complete(new JoinResult(Errors.NONE, group.generationId, group.protocolType,
                                group.protocolName, group.leaderId, false, memberId, List.of()));
                    }
                }
                case EMPTY, DEAD -> promise.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
            }
        }
    }

    private JoinResult joinResponse(ClassicGroup group, String memberId, boolean skipAssignment) {
        boolean leader = group.isLeader(memberId);
        return new JoinResult(Errors.NONE, group.generationId, group.protocolType, group.protocolName,
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
            member.awaitingJoin.tryComplete(JoinResult.error(Errors.REBALANCE_IN_PROGRESS, member.memberId));
        }
        member.awaitingJoin = promise;
    }

    private void updateStaticMemberAndRebalance(ClassicGroup group, String oldMemberId, String newMemberId,
                                                JoinRequest req, Promise<JoinResult> promise) {
        String currentLeader = group.leaderId;
        Member old = group.replaceStaticMember(req.groupInstanceId(), oldMemberId, newMemberId);
        // the old incarnation's parked requests are fenced
        if (old.awaitingJoin != null) {
            old.awaitingJoin.tryComplete(JoinResult.error(Errors.FENCED_INSTANCE_ID, oldMemberId));
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.tryComplete(SyncResult.error(Errors.FENCED_INSTANCE_ID));
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
                    registry.storeGroup(group, assignment).onComplete(ar -> {
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
                            promise.tryComplete(JoinResult.error(GroupRegistry.storeError(ar.cause()), ""));
                            return;
                        }
                        member.awaitingJoin = null;
                        boolean isLeader = group.isLeader(newMemberId);
                        if (req.apiVersion() >= 9) {
                            // KIP-814: the leader learns the members but must not reassign
                            promise.tryComplete(new JoinResult(Errors.NONE, group.generationId,
                                    group.protocolType, group.protocolName, group.leaderId, isLeader, newMemberId,
                                    isLeader ? group.currentMemberMetadata() : List.of()));
                        } else {
                            // older clients must not reassign either: report the previous leader id
                            promise.tryComplete(new JoinResult(Errors.NONE, group.generationId,
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
            log.log(Level.DEBUG, "pending member expired group=" + group.groupId + " member=" + memberId);
            if (group.is(GroupState.PREPARING_REBALANCE)) {
                tryCompleteJoin(group);
            }
            registry.maybeDropEmptyGroup(group);
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
            resetAndPropagateAssignmentError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        cancelPendingSync(group);
        cancelJoinTimer(group);
        boolean initial = group.is(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, clock.getAsLong());
        log.log(Level.INFO, "preparing rebalance group=" + group.groupId + " generation=" + group.generationId
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
            log.log(Level.WARNING, "group=" + group.groupId + " rebalance: no member rejoined, waiting again");
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
            log.log(Level.INFO, "group=" + group.groupId + " generation=" + group.generationId + " is now empty");
            registry.storeGroup(group, Map.of()).onFailure(err -> log.log(Level.WARNING, "failed to store empty group=" + group.groupId
                    + ": " + err));
            registry.maybeDropEmptyGroup(group);
            return;
        }
        group.protocolName = group.selectProtocol();
        group.transitionTo(GroupState.COMPLETING_REBALANCE, now);
        log.log(Level.INFO, "group=" + group.groupId + " generation=" + group.generationId + " protocol=" + group.protocolName
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
                log.log(Level.INFO, "group=" + group.groupId + " members did not sync in time: " + group.pendingSyncMembers);
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
                p.tryComplete(error == Errors.NONE
                        ? new SyncResult(Errors.NONE, group.protocolType, group.protocolName, m.assignment)
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
            member.awaitingJoin.tryComplete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            member.awaitingSync.tryComplete(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync = null;
        }
        group.remove(member.memberId);
    }

    // ---- heartbeats / session expiry

    void scheduleHeartbeat(ClassicGroup group, Member member) {
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
            log.log(Level.INFO, "member session expired group=" + group.groupId + " member=" + member.memberId);
            removeMemberAndUpdateGroup(group, member, "removing member " + member.memberId + " on heartbeat expiration");
            registry.maybeDropEmptyGroup(group);
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

    Future<SyncResult> syncGroup(SyncRequest req) {
        short status = registry.groupStatus(req.groupId(), true);
        if (status != Errors.NONE) {
            return Future.succeededFuture(SyncResult.error(status));
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            return Future.succeededFuture(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
        }
        String memberId = req.memberId();
        short error;
        if (group.is(GroupState.DEAD)) {
            error = Errors.COORDINATOR_NOT_AVAILABLE;
        } else if (group.isStaticMemberFenced(req.groupInstanceId(), memberId)) {
            error = Errors.FENCED_INSTANCE_ID;
        } else if (!group.has(memberId)) {
            error = Errors.UNKNOWN_MEMBER_ID;
        } else if (req.generationId() != group.generationId) {
            error = Errors.ILLEGAL_GENERATION;
        } else if ((req.protocolType() != null && !req.protocolType().equals(group.protocolType))
                || (req.protocolName() != null && !req.protocolName().equals(group.protocolName))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        } else {
            error = Errors.NONE;
        }
        if (error != Errors.NONE) {
            return Future.succeededFuture(SyncResult.error(error));
        }
        Member member = group.get(memberId);
        switch (group.state) {
            case EMPTY -> {
                return Future.succeededFuture(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
            }
            case PREPARING_REBALANCE -> {
                return Future.succeededFuture(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
            }
            case COMPLETING_REBALANCE -> {
                Promise<SyncResult> promise = Promise.promise();
                if (member.awaitingSync != null) {
                    member.awaitingSync.tryComplete(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
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
                return Future.succeededFuture(new SyncResult(Errors.NONE, group.protocolType,
                        group.protocolName, member.assignment));
            }
            default -> throw new IllegalStateException("sync in " + group.state);
        }
    }

    private void completeLeaderSync(ClassicGroup group, SyncRequest req) {
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        for (String memberId : group.members.keySet()) {
            byte[] a = req.assignments().get(memberId);
            assignment.put(memberId, a == null ? new byte[0] : a);
        }
        int generation = group.generationId;
        registry.storeGroup(group, assignment).onComplete(ar -> {
            // the group may have moved on while the write was in flight
            if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId != generation
                    || groups.get(group.groupId) != group) {
                return;
            }
            if (ar.failed()) {
                resetAndPropagateAssignmentError(group, GroupRegistry.storeError(ar.cause()));
                maybePrepareRebalance(group, "error storing the assignment of generation " + generation);
            } else {
                for (Member m : group.members.values()) {
                    byte[] a = assignment.get(m.memberId);
                    m.assignment = a == null ? new byte[0] : a;
                }
                propagateAssignment(group, Errors.NONE);
                group.transitionTo(GroupState.STABLE, clock.getAsLong());
                log.log(Level.INFO, "group=" + group.groupId + " generation=" + generation + " is stable");
            }
        });
    }

    // =====================================================================================================
    // Heartbeat, LeaveGroup
    // =====================================================================================================

    Future<Short> heartbeat(HeartbeatRequest req) {
        short status = registry.groupStatus(req.groupId(), true);
        if (status != Errors.NONE) {
            return Future.succeededFuture(status);
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            return Future.succeededFuture(Errors.UNKNOWN_MEMBER_ID);
        }
        String memberId = req.memberId();
        if (group.is(GroupState.DEAD)) {
            return Future.succeededFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        } else if (group.isStaticMemberFenced(req.groupInstanceId(), memberId)) {
            return Future.succeededFuture(Errors.FENCED_INSTANCE_ID);
        } else if (!group.has(memberId)) {
            return Future.succeededFuture(Errors.UNKNOWN_MEMBER_ID);
        } else if (req.generationId() != group.generationId) {
            return Future.succeededFuture(Errors.ILLEGAL_GENERATION);
        }
        Member member = group.get(memberId);
        return switch (group.state) {
            case EMPTY -> Future.succeededFuture(Errors.UNKNOWN_MEMBER_ID);
            case COMPLETING_REBALANCE, STABLE -> {
                scheduleHeartbeat(group, member);
                yield Future.succeededFuture(Errors.NONE);
            }
            case PREPARING_REBALANCE -> {
                scheduleHeartbeat(group, member);
                yield Future.succeededFuture(Errors.REBALANCE_IN_PROGRESS);
            }
            case DEAD -> Future.succeededFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        };
    }

    Future<LeaveResult> leaveGroup(String groupId, List<MemberIdentity> leaving) {
        short status = registry.groupStatus(groupId, true);
        if (status != Errors.NONE) {
            return Future.succeededFuture(new LeaveResult(status, List.of()));
        }
        ClassicGroup group = groups.get(groupId);
        List<LeaveMemberResult> results = new ArrayList<>(leaving.size());
        if (group == null) {
            for (MemberIdentity m : leaving) {
                results.add(new LeaveMemberResult(m.memberId(), m.groupInstanceId(), Errors.UNKNOWN_MEMBER_ID));
            }
            return Future.succeededFuture(new LeaveResult(Errors.NONE, results));
        }
        if (group.is(GroupState.DEAD)) {
            return Future.succeededFuture(new LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, List.of()));
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
                    error = Errors.NONE;
                } else {
                    error = Errors.UNKNOWN_MEMBER_ID;
                }
            } else if (group.pendingMembers.containsKey(memberId)) {
                vertx.cancelTimer(group.pendingMembers.remove(memberId));
                if (group.is(GroupState.PREPARING_REBALANCE)) {
                    tryCompleteJoin(group);
                }
                error = Errors.NONE;
            } else if (group.isStaticMemberFenced(instanceId, memberId)) {
                error = Errors.FENCED_INSTANCE_ID;
            } else if (group.has(memberId)) {
                removeMemberAndUpdateGroup(group, group.get(memberId), "member " + memberId + " left");
                error = Errors.NONE;
            } else {
                error = Errors.UNKNOWN_MEMBER_ID;
            }
            results.add(new LeaveMemberResult(memberId, instanceId, error));
        }
        registry.maybeDropEmptyGroup(group);
        return Future.succeededFuture(new LeaveResult(Errors.NONE, results));
    }

    private static Map<String, byte[]> currentAssignment(ClassicGroup group) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Member m : group.members.values()) {
            out.put(m.memberId, m.assignment);
        }
        return out;
    }

    void dropGroup(ClassicGroup g, short error) {
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
}
