package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.HeartbeatRequest;
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
import java.util.function.LongSupplier;

/**
 * The requests of a member in a group it joined: SyncGroup (the leader's assignment, stored, then handed to every
 * member), Heartbeat and LeaveGroup. JoinGroup is {@link GroupJoin}'s; the rebalance these requests complete or
 * start is {@link GroupRebalance}'s. Runs on the coordinator's context only; {@link GroupCoordinator} is the public
 * face.
 */
final class GroupMembership {
    private static final System.Logger log = System.getLogger(GroupMembership.class.getName());

    private final GroupRegistry registry;
    private final GroupRebalance rebalance;
    private final Map<String, ClassicGroup> groups;
    private final Vertx vertx;
    private final LongSupplier clock;

    GroupMembership(GroupRegistry registry, GroupRebalance rebalance) {
        this.registry = registry;
        this.rebalance = rebalance;
        this.groups = registry.groups;
        this.vertx = registry.vertx;
        this.clock = registry.clock;
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
                rebalance.scheduleHeartbeat(group, member);
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
                rebalance.resetAndPropagateAssignmentError(group, GroupRegistry.storeError(ar.cause()));
                rebalance.maybePrepareRebalance(group, "error storing the assignment of generation " + generation);
            } else {
                for (Member m : group.members.values()) {
                    byte[] a = assignment.get(m.memberId);
                    m.assignment = a == null ? new byte[0] : a;
                }
                rebalance.propagateAssignment(group, Errors.NONE);
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
                rebalance.scheduleHeartbeat(group, member);
                yield Future.succeededFuture(Errors.NONE);
            }
            case PREPARING_REBALANCE -> {
                rebalance.scheduleHeartbeat(group, member);
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
                    rebalance.removeMemberAndUpdateGroup(group, group.get(current), "static member " + instanceId
                            + " removed by LeaveGroup");
                    error = Errors.NONE;
                } else {
                    error = Errors.UNKNOWN_MEMBER_ID;
                }
            } else if (group.pendingMembers.containsKey(memberId)) {
                vertx.cancelTimer(group.pendingMembers.remove(memberId));
                if (group.is(GroupState.PREPARING_REBALANCE)) {
                    rebalance.tryCompleteJoin(group);
                }
                error = Errors.NONE;
            } else if (group.isStaticMemberFenced(instanceId, memberId)) {
                error = Errors.FENCED_INSTANCE_ID;
            } else if (group.has(memberId)) {
                rebalance.removeMemberAndUpdateGroup(group, group.get(memberId), "member " + memberId + " left");
                error = Errors.NONE;
            } else {
                error = Errors.UNKNOWN_MEMBER_ID;
            }
            results.add(new LeaveMemberResult(memberId, instanceId, error));
        }
        registry.maybeDropEmptyGroup(group);
        return Future.succeededFuture(new LeaveResult(Errors.NONE, results));
    }
}
