package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.JoinRequest;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * JoinGroup of the classic protocol: a new member, a known one rejoining, a dynamic member coming back with the id
 * handed out by MEMBER_ID_REQUIRED (KIP-394, with its pending-member timer), and a static member replacing its old
 * incarnation (KIP-345). Kafka's method names where it helps a reader compare (see docs/groups.md); the rebalance
 * the join starts or completes is {@link GroupRebalance}'s. Runs on the coordinator's context only.
 */
final class GroupJoin {
    private static final System.Logger log = System.getLogger(GroupJoin.class.getName());

    private final GroupRegistry registry;
    private final GroupRebalance rebalance;
    private final Map<String, ClassicGroup> groups;
    private final Vertx vertx;
    private final GroupConfig config;
    private final LongSupplier clock;

    GroupJoin(GroupRegistry registry, GroupRebalance rebalance) {
        this.registry = registry;
        this.rebalance = rebalance;
        this.groups = registry.groups;
        this.vertx = registry.vertx;
        this.config = registry.config;
        this.clock = registry.clock;
    }

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
                        promise.complete(group.joinResult(member.memberId));
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
        rebalance.scheduleHeartbeat(group, member);
        rebalance.maybePrepareRebalance(group, "adding new member " + memberId);
        rebalance.tryCompleteJoin(group);
    }

    private void updateMemberAndRebalance(ClassicGroup group, Member member, JoinRequest req,
                                          Promise<JoinResult> promise) {
        updateMember(member, req, promise);
        rebalance.maybePrepareRebalance(group, "updating metadata for member " + member.memberId);
        rebalance.tryCompleteJoin(group);
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
        rebalance.scheduleHeartbeat(group, member);
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
                                rebalance.scheduleHeartbeat(group, reverted);
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
                    rebalance.maybePrepareRebalance(group, "static member " + req.groupInstanceId() + " changed protocol");
                }
            }
            case COMPLETING_REBALANCE -> rebalance.prepareRebalance(group, "static member " + req.groupInstanceId()
                    + " rejoined during CompletingRebalance");
            case PREPARING_REBALANCE -> rebalance.tryCompleteJoin(group);
            case EMPTY, DEAD -> throw new IllegalStateException("static member in " + group.state + " group");
        }
    }

    private void expirePendingMember(ClassicGroup group, String memberId) {
        if (group.pendingMembers.remove(memberId) != null) {
            log.log(Level.DEBUG, "pending member expired group=" + group.groupId + " member=" + memberId);
            if (group.is(GroupState.PREPARING_REBALANCE)) {
                rebalance.tryCompleteJoin(group);
            }
            registry.maybeDropEmptyGroup(group);
        }
    }

    private static Map<String, byte[]> currentAssignment(ClassicGroup group) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Member m : group.members.values()) {
            out.put(m.memberId, m.assignment);
        }
        return out;
    }
}
