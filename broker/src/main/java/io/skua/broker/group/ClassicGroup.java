package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.GroupMessages.JoinMember;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.Protocol;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One classic group's state. Confined to the coordinator's context: every field is read and written only there
 * (the coordinator asserts it at its entry points), so nothing here is synchronized.
 */
final class ClassicGroup {

    /** One member. Pending futures are the JoinGroup/SyncGroup requests parked until the rebalance moves on. */
    static final class Member {
        final String memberId;
        final String groupInstanceId; // nullable
        final String clientId;
        final String clientHost;
        int rebalanceTimeoutMs;
        int sessionTimeoutMs;
        List<Protocol> protocols;
        byte[] assignment = new byte[0];
        Promise<JoinResult> awaitingJoin;
        Promise<SyncResult> awaitingSync;
        /** Joined in the current rebalance and never completed one: no heartbeats can be expected yet. */
        boolean isNew;
        long heartbeatTimer = -1;

        Member(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
               int sessionTimeoutMs, List<Protocol> protocols) {
            this.memberId = memberId;
            this.groupInstanceId = groupInstanceId;
            this.clientId = clientId;
            this.clientHost = clientHost;
            this.rebalanceTimeoutMs = rebalanceTimeoutMs;
            this.sessionTimeoutMs = sessionTimeoutMs;
            this.protocols = protocols;
        }

        Member withMemberId(String newMemberId) {
            Member m = new Member(newMemberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs,
                    sessionTimeoutMs, protocols);
            m.assignment = assignment;
            return m;
        }

        boolean isStatic() {
            return groupInstanceId != null;
        }

        boolean isAwaitingJoin() {
            return awaitingJoin != null;
        }

        boolean isAwaitingSync() {
            return awaitingSync != null;
        }

        byte[] metadata(String protocol) {
            for (Protocol p : protocols) {
                if (p.name().equals(protocol)) {
                    return p.metadata();
                }
            }
            return new byte[0];
        }

        /** Same protocols, in the same order, with the same metadata. */
        boolean matches(List<Protocol> other) {
            if (other.size() != protocols.size()) {
                return false;
            }
            for (int i = 0; i < other.size(); i++) {
                Protocol a = protocols.get(i);
                Protocol b = other.get(i);
                if (!a.name().equals(b.name()) || !java.util.Arrays.equals(a.metadata(), b.metadata())) {
                    return false;
                }
            }
            return true;
        }
    }

    final String groupId;
    final int partition;
    GroupState state = GroupState.EMPTY;
    long currentStateTimestamp;
    int generationId;
    String protocolType; // nullable: a "simple" group that only stores offsets
    String protocolName; // nullable
    String leaderId; // nullable
    final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry timers. */
    final Map<String, Long> pendingMembers = new HashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    final Set<String> pendingSyncMembers = new HashSet<>();
    long pendingSyncTimer = -1;
    long joinTimer = -1;
    /** The join phase is in its initial delay (group.initial.rebalance.delay.ms); it cannot complete early. */
    boolean initialDelayPhase;
    boolean newMemberAdded;
    final Map<TopicPartition, GroupRecords.OffsetValue> offsets = new LinkedHashMap<>();
    /** Offset commits whose append is in flight, per partition: retention must not expire them meanwhile. */
    final Map<TopicPartition, Integer> pendingOffsetCommits = new HashMap<>();

    ClassicGroup(String groupId, int partition, long now) {
        this.groupId = groupId;
        this.partition = partition;
        this.currentStateTimestamp = now;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState target, long now) {
        if (!target.validPrevious().contains(state)) {
            throw new IllegalStateException("group " + groupId + ": illegal transition " + state + " -> " + target);
        }
        state = target;
        currentStateTimestamp = now;
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    Member get(String memberId) {
        return members.get(memberId);
    }

    boolean isLeader(String memberId) {
        return Objects.equals(leaderId, memberId);
    }

    boolean hasStaticMember(String instanceId) {
        return instanceId != null && staticMembers.containsKey(instanceId);
    }

    /** A request carries an instance id whose current member id is a different one. */
    boolean isStaticMemberFenced(String instanceId, String memberId) {
        if (instanceId == null) {
            return false;
        }
        String current = staticMembers.get(instanceId);
        return current != null && !current.equals(memberId);
    }

    void add(Member member, String memberProtocolType) {
        if (members.isEmpty()) {
            protocolType = memberProtocolType;
        }
        if (leaderId == null) {
            leaderId = member.memberId;
        }
        members.put(member.memberId, member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId, member.memberId);
        }
        pendingMembers.remove(member.memberId);
    }

    void remove(String memberId) {
        Member removed = members.remove(memberId);
        if (removed == null) {
            return;
        }
        if (removed.isStatic() && memberId.equals(staticMembers.get(removed.groupInstanceId))) {
            staticMembers.remove(removed.groupInstanceId);
        }
        pendingSyncMembers.remove(memberId);
        if (isLeader(memberId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** Re-keys a static member under its new member id, keeping its assignment and leadership. */
    Member replaceStaticMember(String instanceId, String oldMemberId, String newMemberId) {
        Member old = members.remove(oldMemberId);
        if (old == null) {
            throw new IllegalStateException("static member " + instanceId + " has no member " + oldMemberId);
        }
        Member replacement = old.withMemberId(newMemberId);
        members.put(newMemberId, replacement);
        staticMembers.put(instanceId, newMemberId);
        if (isLeader(oldMemberId)) {
            leaderId = newMemberId;
        }
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
        replacement.heartbeatTimer = old.heartbeatTimer;
        old.heartbeatTimer = -1;
        return old;
    }

    int numAwaitingJoin() {
        int n = 0;
        for (Member m : members.values()) {
            if (m.isAwaitingJoin()) {
                n++;
            }
        }
        return n;
    }

    boolean hasAllMembersJoined() {
        return members.size() == numAwaitingJoin() && pendingMembers.isEmpty();
    }

    int rebalanceTimeoutMs() {
        int max = 0;
        for (Member m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    boolean canRebalance() {
        return state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE || state == GroupState.EMPTY;
    }

    /** Kafka's rule: an empty group takes any non-empty protocol list; otherwise type must match and at least one
     * of the member's protocols must be supported by every current member. */
    boolean supportsProtocols(String memberProtocolType, List<Protocol> memberProtocols) {
        if (is(GroupState.EMPTY)) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (!Objects.equals(protocolType, memberProtocolType)) {
            return false;
        }
        if (members.isEmpty()) {
            // e.g. PreparingRebalance after everyone left: no protocol to be common with (Kafka's counts are 0 == 0)
            return !memberProtocols.isEmpty();
        }
        Set<String> common = candidateProtocols();
        for (Protocol p : memberProtocols) {
            if (common.contains(p.name())) {
                return true;
            }
        }
        return false;
    }

    /** Protocols every member supports, in the order of the first member's preference. */
    Set<String> candidateProtocols() {
        Set<String> common = null;
        for (Member m : members.values()) {
            Set<String> names = new LinkedHashSet<>();
            for (Protocol p : m.protocols) {
                names.add(p.name());
            }
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        return common == null ? new LinkedHashSet<>() : common;
    }

    /** Each member votes for its most preferred candidate; most votes wins, ties go to the earlier candidate. */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        if (candidates.isEmpty()) {
            throw new IllegalStateException("group " + groupId + " has no protocol common to all members");
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (String c : candidates) {
            votes.put(c, 0);
        }
        for (Member m : members.values()) {
            for (Protocol p : m.protocols) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /** If the leader did not rejoin, hands leadership to a member that did. False when no member rejoined. */
    boolean maybeElectNewJoinedLeader() {
        if (leaderId == null) {
            return false;
        }
        Member leader = members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (Member m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId;
                return true;
            }
        }
        return false;
    }

    /** The JoinGroup response of a member of the current generation: the leader also gets everyone's metadata. */
    JoinResult joinResult(String memberId) {
        boolean leader = isLeader(memberId);
        return new JoinResult(Errors.NONE, generationId, protocolType, protocolName, leaderId, false, memberId,
                leader ? currentMemberMetadata() : List.of());
    }

    List<JoinMember> currentMemberMetadata() {
        List<JoinMember> out = new ArrayList<>(members.size());
        for (Member m : members.values()) {
            out.add(new JoinMember(m.memberId, m.groupInstanceId, m.metadata(protocolName)));
        }
        return out;
    }

    List<String> notYetRejoinedDynamicMembers() {
        List<String> out = new ArrayList<>();
        for (Member m : members.values()) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                out.add(m.memberId);
            }
        }
        return out;
    }
}
