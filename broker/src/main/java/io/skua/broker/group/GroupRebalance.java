package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.ClassicGroup.Member;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rebalance of a classic group, shared by every request that moves one: entering PreparingRebalance, completing
 * the join phase (initial delay, rebalance timeout, everyone rejoined) into CompletingRebalance, handing out or
 * failing the assignment, removing members, and the join, pending-sync and session (heartbeat) timers. Kafka's state
 * machine, method for method where it helps a reader compare (see docs/groups.md). Runs on the coordinator's context
 * only.
 */
final class GroupRebalance {
    private static final System.Logger log = System.getLogger(GroupRebalance.class.getName());

    private final GroupRegistry registry;
    private final Map<String, ClassicGroup> groups;
    private final Vertx vertx;
    private final GroupConfig config;
    private final LongSupplier clock;

    GroupRebalance(GroupRegistry registry) {
        this.registry = registry;
        this.groups = registry.groups;
        this.vertx = registry.vertx;
        this.config = registry.config;
        this.clock = registry.clock;
    }

    // ---- the join phase

    void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.canRebalance()) {
            prepareRebalance(group, reason);
        }
    }

    void prepareRebalance(ClassicGroup group, String reason) {
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

    void tryCompleteJoin(ClassicGroup group) {
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
                p.tryComplete(group.joinResult(m.memberId));
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

    void resetAndPropagateAssignmentError(ClassicGroup group, short error) {
        for (Member m : group.members.values()) {
            m.assignment = new byte[0];
        }
        propagateAssignment(group, error);
    }

    void propagateAssignment(ClassicGroup group, short error) {
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
    void removeMemberAndUpdateGroup(ClassicGroup group, Member member, String reason) {
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

    /** Forgets a group this coordinator no longer serves: its timers stop, its parked requests get {@code error}. */
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
