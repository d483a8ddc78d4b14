package io.skua.broker.group;

import io.skua.protocol.Errors;
import io.skua.broker.group.GroupMessages.DescribedGroup;
import io.skua.broker.group.GroupMessages.FetchedOffset;
import io.skua.broker.group.GroupMessages.HeartbeatRequest;
import io.skua.broker.group.GroupMessages.JoinRequest;
import io.skua.broker.group.GroupMessages.JoinResult;
import io.skua.broker.group.GroupMessages.ListGroupsResult;
import io.skua.broker.group.GroupMessages.MemberIdentity;
import io.skua.broker.group.GroupMessages.OffsetCommitRequest;
import io.skua.broker.group.GroupMessages.OffsetFetchGroup;
import io.skua.broker.group.GroupMessages.PartitionError;
import io.skua.broker.group.GroupMessages.PartitionOffset;
import io.skua.broker.group.GroupMessages.Protocol;
import io.skua.broker.group.GroupMessages.SyncRequest;
import io.skua.broker.group.GroupMessages.SyncResult;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class GroupCoordinatorTest {
    private static final String G = "group-a";
    private static final int SESSION = 10_000;
    private static final int REBALANCE = 2_000;

    private Vertx vertx;
    private InMemoryGroupLog groupLog;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private GroupCoordinator coordinator;
    private GroupConfig config;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        groupLog = new InMemoryGroupLog();
        config = GroupConfig.defaults().withInitialRebalanceDelayMs(0).withSessionTimeoutBounds(10, 1_800_000)
                .withOffsetsTopicPartitions(5);
        coordinator = start(config);
    }

    @AfterEach
    void tearDown() {
        await(vertx.close());
    }

    private GroupCoordinator start(GroupConfig cfg) {
        GroupCoordinator c = new GroupCoordinator(vertx.getOrCreateContext(), cfg, groupLog,
                (topic, partition) -> !topic.equals("missing"), now::get);
        await(c.startup());
        return c;
    }

    // ---------------------------------------------------------------- helpers

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met in time");
            }
            Thread.onSpinWait();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JoinRequest join(String memberId, String instanceId, int session, String... protocols) {
        List<Protocol> ps = new ArrayList<>();
        for (String p : protocols.length == 0 ? new String[] {"range"} : protocols) {
            ps.add(new Protocol(p, bytes("meta-" + p + "-" + memberId)));
        }
        return new JoinRequest(G, memberId, instanceId, "consumer", ps, session, REBALANCE, "client", "/127.0.0.1", 9);
    }

    private static JoinRequest join(String memberId) {
        return join(memberId, null, SESSION);
    }

    /** A dynamic member's full first join: MEMBER_ID_REQUIRED, then the join with the handed-out id. */
    private Future<JoinResult> joinNew() {
        JoinResult first = await(coordinator.joinGroup(join("")));
        assertEquals(Errors.MEMBER_ID_REQUIRED, first.error());
        return coordinator.joinGroup(join(first.memberId()));
    }

    private SyncResult sync(JoinResult j, Map<String, byte[]> assignments) {
        return await(coordinator.syncGroup(new SyncRequest(G, j.generationId(), j.memberId(), null, "consumer",
                j.protocolName(), assignments)));
    }

    private short heartbeat(String memberId, int generation) {
        return await(coordinator.heartbeat(new HeartbeatRequest(G, generation, memberId, null)));
    }

    /** One member joined and synced: Stable, generation returned. */
    private JoinResult stableSingle() {
        JoinResult j = await(joinNew());
        assertEquals(Errors.NONE, j.error());
        sync(j, Map.of(j.memberId(), bytes("assign-" + j.memberId())));
        return j;
    }

    private GroupState state() {
        return await(coordinator.stateOf(G));
    }

    // ---------------------------------------------------------------- join / sync

    @Test
    void shouldElectLeaderAndDistributeAssignmentsToThreeMembers() {
        // Given a group whose first rebalance waits a little for members to gather
        coordinator = start(config.withInitialRebalanceDelayMs(200).withOffsetsTopicPartitions(5));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JoinResult r = await(coordinator.joinGroup(join("")));
            assertEquals(Errors.MEMBER_ID_REQUIRED, r.error());
            assertFalse(r.memberId().isEmpty());
            ids.add(r.memberId());
        }
        // When all three join with their ids
        List<Future<JoinResult>> joins = new ArrayList<>();
        for (String id : ids) {
            joins.add(coordinator.joinGroup(join(id)));
        }
        List<JoinResult> results = joins.stream().map(GroupCoordinatorTest::await).toList();

        // Then one generation, one leader who alone sees all members' metadata
        String leader = results.get(0).leaderId();
        assertTrue(ids.contains(leader));
        for (JoinResult r : results) {
            assertEquals(Errors.NONE, r.error());
            assertEquals(1, r.generationId());
            assertEquals("range", r.protocolName());
            assertEquals(leader, r.leaderId());
            if (r.memberId().equals(leader)) {
                assertEquals(3, r.members().size());
                for (var m : r.members()) {
                    assertArrayEquals(bytes("meta-range-" + m.memberId()), m.metadata());
                }
            } else {
                assertTrue(r.members().isEmpty());
            }
        }
        assertEquals(GroupState.COMPLETING_REBALANCE, state());

        // When followers sync first, they wait for the leader's assignment
        List<Future<SyncResult>> followerSyncs = new ArrayList<>();
        for (JoinResult r : results) {
            if (!r.memberId().equals(leader)) {
                followerSyncs.add(coordinator.syncGroup(new SyncRequest(G, 1, r.memberId(), null, null, null, Map.of())));
            }
        }
        assertFalse(followerSyncs.get(0).isComplete());
        Map<String, byte[]> assignment = new HashMap<>();
        for (String id : ids) {
            assignment.put(id, bytes("partitions-of-" + id));
        }
        SyncResult leaderSync = await(coordinator.syncGroup(new SyncRequest(G, 1, leader, null, "consumer", "range",
                assignment)));

        // Then everyone gets its own assignment and the group is Stable
        assertEquals(Errors.NONE, leaderSync.error());
        assertArrayEquals(bytes("partitions-of-" + leader), leaderSync.assignment());
        for (Future<SyncResult> f : followerSyncs) {
            SyncResult s = await(f);
            assertEquals(Errors.NONE, s.error());
            assertEquals("range", s.protocolName());
            assertTrue(new String(s.assignment(), StandardCharsets.UTF_8).startsWith("partitions-of-"));
            assertNotEquals("partitions-of-" + leader, new String(s.assignment(), StandardCharsets.UTF_8));
        }
        assertEquals(GroupState.STABLE, state());
        for (String id : ids) {
            assertEquals(Errors.NONE, heartbeat(id, 1));
        }
    }

    @Test
    void shouldRequireMemberIdFromVersion4Only() {
        JoinResult v4 = await(coordinator.joinGroup(join("")));
        assertEquals(Errors.MEMBER_ID_REQUIRED, v4.error());
        assertTrue(v4.memberId().startsWith("client-"));
        assertEquals(-1, v4.generationId());

        JoinRequest v3 = new JoinRequest("other", "", null, "consumer", List.of(new Protocol("range", bytes("m"))),
                SESSION, REBALANCE, "client", "/h", 3);
        JoinResult r = await(coordinator.joinGroup(v3));
        assertEquals(Errors.NONE, r.error());
        assertEquals(1, r.generationId());
        assertEquals(r.memberId(), r.leaderId());
    }

    @Test
    void shouldSelectProtocolByVoteAmongCommonProtocols() {
        JoinResult a = await(coordinator.joinGroup(join("")));
        JoinResult b = await(coordinator.joinGroup(join("")));
        Future<JoinResult> ja = coordinator.joinGroup(join(a.memberId(), null, SESSION, "roundrobin", "range"));
        Future<JoinResult> jb = coordinator.joinGroup(join(b.memberId(), null, SESSION, "range", "roundrobin", "sticky"));
        // a tie between roundrobin and range: first in order of the first member's preference
        String chosen = await(ja).protocolName();
        assertEquals(chosen, await(jb).protocolName());
        assertTrue(Set.of("range", "roundrobin").contains(chosen));

        JoinResult c = await(coordinator.joinGroup(join("")));
        JoinResult rejected = await(coordinator.joinGroup(join(c.memberId(), null, SESSION, "sticky")));
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, rejected.error());
    }

    @Test
    void shouldRejectSessionTimeoutOutsideBoundsAndBadGroupId() {
        assertEquals(Errors.INVALID_SESSION_TIMEOUT, await(coordinator.joinGroup(join("", null, 5))).error());
        assertEquals(Errors.INVALID_SESSION_TIMEOUT,
                await(coordinator.joinGroup(join("", null, 2_000_000))).error());
        JoinRequest noGroup = new JoinRequest("", "", null, "consumer", List.of(new Protocol("r", bytes("m"))),
                SESSION, REBALANCE, "c", "h", 9);
        assertEquals(Errors.INVALID_GROUP_ID, await(coordinator.joinGroup(noGroup)).error());
    }

    @Test
    void shouldRejectUnknownMemberIdOnJoin() {
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(coordinator.joinGroup(join("nobody"))).error());
        stableSingle();
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(coordinator.joinGroup(join("nobody"))).error());
    }

    @Test
    void shouldRebalanceWhenMemberJoins() {
        JoinResult a = stableSingle();
        assertEquals(GroupState.STABLE, state());

        // When a second member joins
        Future<JoinResult> b = joinNew();
        assertEquals(GroupState.PREPARING_REBALANCE, state());

        // Then the first learns about the rebalance through its heartbeat, rejoins, and both get generation 2
        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat(a.memberId(), 1));
        JoinResult a2 = await(coordinator.joinGroup(join(a.memberId())));
        JoinResult b2 = await(b);
        assertEquals(2, a2.generationId());
        assertEquals(2, b2.generationId());
        assertEquals(a.memberId(), a2.leaderId());
        assertEquals(2, a2.members().size());
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(a.memberId(), 1));
    }

    @Test
    void shouldRebalanceWhenMemberLeavesAndRemoveMembersThatDidNotRejoin() {
        JoinResult a = await(coordinator.joinGroup(join("")));
        JoinResult b = await(coordinator.joinGroup(join("")));
        Future<JoinResult> ja = coordinator.joinGroup(join(a.memberId()));
        Future<JoinResult> jb = coordinator.joinGroup(join(b.memberId()));
        JoinResult a1 = await(ja);
        await(jb);
        Map<String, byte[]> assign = Map.of(a.memberId(), bytes("x"), b.memberId(), bytes("y"));
        JoinResult leader = a1.leaderId().equals(a.memberId()) ? a1 : await(jb);
        sync(leader, assign);
        String follower = leader.memberId().equals(a.memberId()) ? b.memberId() : a.memberId();
        sync(new JoinResult((short) 0, 1, "consumer", "range", leader.memberId(), false, follower, List.of()), Map.of());
        assertEquals(GroupState.STABLE, state());

        // When the follower leaves
        var leave = await(coordinator.leaveGroup(G, List.of(new MemberIdentity(follower, null))));
        assertEquals(Errors.NONE, leave.members().get(0).error());
        assertEquals(GroupState.PREPARING_REBALANCE, state());

        // Then the leader rejoins alone into generation 2
        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat(leader.memberId(), 1));
        JoinResult again = await(coordinator.joinGroup(join(leader.memberId())));
        assertEquals(2, again.generationId());
        assertEquals(1, again.members().size());

        // and leaving twice is UNKNOWN_MEMBER_ID
        assertEquals(Errors.UNKNOWN_MEMBER_ID,
                await(coordinator.leaveGroup(G, List.of(new MemberIdentity(follower, null)))).members().get(0).error());
    }

    @Test
    void shouldExpireSilentMemberAndRebalance() {
        // Given a stable group of a long-session member and a short-session one
        JoinResult a = await(coordinator.joinGroup(join("")));
        JoinResult b = await(coordinator.joinGroup(join("", null, 300)));
        Future<JoinResult> ja = coordinator.joinGroup(join(a.memberId()));
        Future<JoinResult> jb = coordinator.joinGroup(join(b.memberId(), null, 300));
        JoinResult ra = await(ja);
        JoinResult rb = await(jb);
        JoinResult leader = ra.members().isEmpty() ? rb : ra;
        sync(leader, Map.of());
        sync(leader == ra ? rb : ra, Map.of());

        // When b stops heartbeating, its session expires and a rebalance starts
        eventually(() -> heartbeat(a.memberId(), 1) == Errors.REBALANCE_IN_PROGRESS);
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(b.memberId(), 1));

        // Then a rejoins into a group of one
        JoinResult a2 = await(coordinator.joinGroup(join(a.memberId())));
        assertEquals(2, a2.generationId());
        assertEquals(a.memberId(), a2.leaderId());
        assertEquals(1, a2.members().size());
    }

    @Test
    void shouldRemoveMembersThatDoNotRejoinWithinRebalanceTimeout() {
        JoinResult a = stableSingle();
        // b joins; a never rejoins (but keeps its session alive) -> after the rebalance timeout a is dropped
        Future<JoinResult> b = joinNew();
        JoinResult rb = await(b);
        assertEquals(2, rb.generationId());
        assertEquals(rb.memberId(), rb.leaderId());
        assertEquals(1, rb.members().size());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(a.memberId(), 1));
    }

    @Test
    void shouldAnswerHeartbeatErrors() {
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("x", 0));
        JoinResult a = stableSingle();
        assertEquals(Errors.NONE, heartbeat(a.memberId(), 1));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("x", 1));
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(a.memberId(), 7));
        assertEquals(Errors.INVALID_GROUP_ID,
                await(coordinator.heartbeat(new HeartbeatRequest("", 1, a.memberId(), null))));
        // sync errors too
        assertEquals(Errors.ILLEGAL_GENERATION, await(coordinator.syncGroup(
                new SyncRequest(G, 5, a.memberId(), null, null, null, Map.of()))).error());
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, await(coordinator.syncGroup(
                new SyncRequest(G, 1, a.memberId(), null, "connect", null, Map.of()))).error());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(coordinator.syncGroup(
                new SyncRequest("nope", 1, a.memberId(), null, null, null, Map.of()))).error());
    }

    // ---------------------------------------------------------------- static membership

    private JoinResult stableStatic(String instanceId) {
        JoinResult j = await(coordinator.joinGroup(join("", instanceId, SESSION)));
        assertEquals(Errors.NONE, j.error());
        sync(j, Map.of(j.memberId(), bytes("assign-" + instanceId)));
        return j;
    }

    @Test
    void shouldReplaceStaticMemberWithoutRebalance() {
        // Given a stable group with one static member
        JoinResult old = stableStatic("instance-1");
        assertEquals(GroupState.STABLE, state());

        // When the same instance restarts and joins without member id
        JoinResult rejoined = await(coordinator.joinGroup(join("", "instance-1", SESSION)));

        // Then it gets a new member id in the same generation, no rebalance, and its old assignment on sync
        assertEquals(Errors.NONE, rejoined.error());
        assertNotEquals(old.memberId(), rejoined.memberId());
        assertEquals(1, rejoined.generationId());
        assertTrue(rejoined.skipAssignment());
        assertEquals(GroupState.STABLE, state());
        SyncResult s = await(coordinator.syncGroup(new SyncRequest(G, 1, rejoined.memberId(), "instance-1", null,
                null, Map.of())));
        assertEquals(Errors.NONE, s.error());
        assertArrayEquals(bytes("assign-instance-1"), s.assignment());

        // and the old incarnation is fenced
        assertEquals(Errors.FENCED_INSTANCE_ID,
                await(coordinator.heartbeat(new HeartbeatRequest(G, 1, old.memberId(), "instance-1"))));
        var commit = await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1, old.memberId(), "instance-1", -1,
                List.of(new PartitionOffset("t", 0, 5, -1, "")), 9)));
        assertEquals(Errors.FENCED_INSTANCE_ID, commit.get(0).error());
        assertEquals(Errors.NONE,
                await(coordinator.heartbeat(new HeartbeatRequest(G, 1, rejoined.memberId(), "instance-1"))));
    }

    @Test
    void shouldTellOldClientsTheyAreNotLeaderOnStaticRejoin() {
        JoinResult old = stableStatic("instance-1");
        JoinRequest v8 = new JoinRequest(G, "", "instance-1", "consumer",
                List.of(new Protocol("range", bytes("meta-range-"))), SESSION, REBALANCE, "client", "/h", 8);
        JoinResult rejoined = await(coordinator.joinGroup(v8));
        assertEquals(old.memberId(), rejoined.leaderId());
        assertFalse(rejoined.skipAssignment());
        assertTrue(rejoined.members().isEmpty());
    }

    @Test
    void shouldRemoveStaticMemberByInstanceId() {
        stableStatic("instance-1");
        var r = await(coordinator.leaveGroup(G, List.of(new MemberIdentity("", "instance-1"),
                new MemberIdentity("", "instance-2"))));
        assertEquals(Errors.NONE, r.members().get(0).error());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, r.members().get(1).error());
    }

    // ---------------------------------------------------------------- offsets

    @Test
    void shouldCommitAndFetchOffsetsWithMetadata() {
        JoinResult a = stableSingle();
        List<PartitionError> r = await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1, a.memberId(), null, -1,
                List.of(new PartitionOffset("t", 0, 42, 3, "hello"), new PartitionOffset("t", 1, 7, -1, null),
                        new PartitionOffset("missing", 0, 1, -1, ""),
                        new PartitionOffset("t", 2, 1, -1, "x".repeat(5000))), 9)));
        assertEquals(List.of(Errors.NONE, Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.OFFSET_METADATA_TOO_LARGE), r.stream().map(PartitionError::error).toList());

        var fetched = await(coordinator.fetchOffsets(List.of(
                new OffsetFetchGroup(G, List.of(new TopicPartition("t", 0), new TopicPartition("t", 1),
                        new TopicPartition("t", 9))),
                new OffsetFetchGroup("unknown-group", null)), true));
        List<FetchedOffset> p = fetched.get(0).partitions();
        assertEquals(42, p.get(0).offset());
        assertEquals(3, p.get(0).leaderEpoch());
        assertEquals("hello", p.get(0).metadata());
        assertEquals(7, p.get(1).offset());
        assertEquals("", p.get(1).metadata());
        assertEquals(-1, p.get(2).offset());
        assertTrue(fetched.get(1).partitions().isEmpty());

        var all = await(coordinator.fetchOffsets(List.of(new OffsetFetchGroup(G, null)), false));
        assertEquals(2, all.get(0).partitions().size());
    }

    @Test
    void shouldRejectCommitsFromStaleGenerationsAndUnknownMembers() {
        JoinResult a = stableSingle();
        List<PartitionOffset> one = List.of(new PartitionOffset("t", 0, 1, -1, ""));
        assertEquals(Errors.ILLEGAL_GENERATION, await(coordinator.commitOffsets(
                new OffsetCommitRequest(G, 0, a.memberId(), null, -1, one, 9))).get(0).error());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(coordinator.commitOffsets(
                new OffsetCommitRequest(G, 1, "ghost", null, -1, one, 9))).get(0).error());
        // no member id and no generation while the group has members
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(coordinator.commitOffsets(
                new OffsetCommitRequest(G, -1, "", null, -1, one, 9))).get(0).error());
        // unknown group with a generation: GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before
        assertEquals(Errors.GROUP_ID_NOT_FOUND, await(coordinator.commitOffsets(
                new OffsetCommitRequest("nope", 3, "m", null, -1, one, 9))).get(0).error());
        assertEquals(Errors.ILLEGAL_GENERATION, await(coordinator.commitOffsets(
                new OffsetCommitRequest("nope", 3, "m", null, -1, one, 8))).get(0).error());
        // a simple (admin) commit to an unknown group creates it
        assertEquals(Errors.NONE, await(coordinator.commitOffsets(
                new OffsetCommitRequest("simple", -1, "", null, -1, one, 9))).get(0).error());
    }

    @Test
    void shouldAnswerRebalanceInProgressToCommitsBeforeSync() {
        JoinResult a = await(joinNew());
        assertEquals(GroupState.COMPLETING_REBALANCE, state());
        assertEquals(Errors.REBALANCE_IN_PROGRESS, await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1,
                a.memberId(), null, -1, List.of(new PartitionOffset("t", 0, 1, -1, "")), 9))).get(0).error());
    }

    @Test
    void shouldNotAcknowledgeCommitWhenAppendFails() {
        groupLog.failAppends = true;
        var r = await(coordinator.commitOffsets(new OffsetCommitRequest("simple", -1, "", null, -1,
                List.of(new PartitionOffset("t", 0, 1, -1, "")), 9)));
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, r.get(0).error());
        groupLog.failAppends = false;
        var f = await(coordinator.fetchOffsets(List.of(new OffsetFetchGroup("simple", null)), false));
        assertTrue(f.get(0).partitions().isEmpty());
    }

    @Test
    void shouldReloadGroupsAndOffsetsFromTheLog() {
        // Given a stable group with committed offsets, and a simple group with offsets
        JoinResult a = stableSingle();
        await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1, a.memberId(), null, -1,
                List.of(new PartitionOffset("t", 0, 42, 3, "meta")), 9)));
        await(coordinator.commitOffsets(new OffsetCommitRequest("simple", -1, "", null, -1,
                List.of(new PartitionOffset("t", 1, 5, -1, "s"), new PartitionOffset("t", 2, 6, -1, "")), 9)));
        await(coordinator.deleteOffsets("simple", List.of(new TopicPartition("t", 2))));
        await(coordinator.shutdown());

        // When a new coordinator starts over the same log
        GroupCoordinator restarted = start(config);

        // Then offsets, groups, members and assignments are back
        var f = await(restarted.fetchOffsets(List.of(new OffsetFetchGroup(G, null), new OffsetFetchGroup("simple", null)), false));
        assertEquals(List.of(new FetchedOffset("t", 0, 42, 3, "meta", Errors.NONE)), f.get(0).partitions());
        assertEquals(List.of(new FetchedOffset("t", 1, 5, -1, "s", Errors.NONE)), f.get(1).partitions());
        DescribedGroup d = await(restarted.describeGroups(List.of(G), 5)).get(0);
        assertEquals("Stable", d.state());
        assertEquals("range", d.protocolData());
        assertEquals(a.memberId(), d.members().get(0).memberId());
        assertArrayEquals(bytes("assign-" + a.memberId()), d.members().get(0).assignment());
        assertEquals(Errors.NONE, await(restarted.heartbeat(new HeartbeatRequest(G, 1, a.memberId(), null))));
    }

    @Test
    void shouldExpireOffsetsOfEmptyGroupsAfterRetention() {
        await(coordinator.commitOffsets(new OffsetCommitRequest("simple", -1, "", null, -1,
                List.of(new PartitionOffset("t", 0, 1, -1, "")), 9)));
        assertEquals(0, await(coordinator.expireOffsets()));
        now.addAndGet(config.offsetsRetentionMs());
        assertEquals(1, await(coordinator.expireOffsets()));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, await(coordinator.deleteGroups(List.of("simple"))).get(0).error());
        // and the expiry survives a restart
        GroupCoordinator restarted = start(config);
        var f = await(restarted.fetchOffsets(List.of(new OffsetFetchGroup("simple", null)), false));
        assertTrue(f.get(0).partitions().isEmpty());
    }

    // ---------------------------------------------------------------- admin

    @Test
    void shouldDeleteOnlyEmptyGroups() {
        JoinResult a = stableSingle();
        await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1, a.memberId(), null, -1,
                List.of(new PartitionOffset("t", 0, 1, -1, "")), 9)));
        assertEquals(Errors.NON_EMPTY_GROUP, await(coordinator.deleteGroups(List.of(G))).get(0).error());
        assertEquals(Errors.NON_EMPTY_GROUP, await(coordinator.deleteOffsets(G, List.of(new TopicPartition("t", 0)))).error());

        await(coordinator.leaveGroup(G, List.of(new MemberIdentity(a.memberId(), null))));
        eventually(() -> state() == GroupState.EMPTY);
        var deleted = await(coordinator.deleteGroups(List.of(G, "never-existed")));
        assertEquals(Errors.NONE, deleted.get(0).error());
        assertEquals(Errors.GROUP_ID_NOT_FOUND, deleted.get(1).error());
        assertEquals(Errors.GROUP_ID_NOT_FOUND, await(coordinator.deleteGroups(List.of(G))).get(0).error());

        GroupCoordinator restarted = start(config);
        assertEquals("Dead", await(restarted.describeGroups(List.of(G), 5)).get(0).state());
        assertTrue(await(restarted.fetchOffsets(List.of(new OffsetFetchGroup(G, null)), false)).get(0).partitions().isEmpty());
    }

    @Test
    void shouldListAndDescribeGroups() {
        JoinResult a = stableSingle();
        await(coordinator.commitOffsets(new OffsetCommitRequest("simple", -1, "", null, -1,
                List.of(new PartitionOffset("t", 0, 1, -1, "")), 9)));

        ListGroupsResult all = await(coordinator.listGroups(Set.of(), Set.of()));
        assertEquals(Errors.NONE, all.error());
        assertEquals(List.of(G, "simple"), all.groups().stream().map(GroupMessages.ListedGroup::groupId).toList());
        ListGroupsResult stable = await(coordinator.listGroups(Set.of("stable"), Set.of()));
        assertEquals(1, stable.groups().size());
        assertEquals("consumer", stable.groups().get(0).protocolType());
        assertEquals("Stable", stable.groups().get(0).state());
        assertEquals(List.of("simple"), await(coordinator.listGroups(Set.of("Empty"), Set.of("classic"))).groups()
                .stream().map(GroupMessages.ListedGroup::groupId).toList());
        assertTrue(await(coordinator.listGroups(Set.of(), Set.of("consumer"))).groups().isEmpty());

        List<DescribedGroup> d = await(coordinator.describeGroups(List.of(G, "missing"), 6));
        assertEquals("Stable", d.get(0).state());
        assertEquals("consumer", d.get(0).protocolType());
        assertEquals("range", d.get(0).protocolData());
        assertEquals(1, d.get(0).members().size());
        assertEquals("client", d.get(0).members().get(0).clientId());
        assertArrayEquals(bytes("meta-range-" + a.memberId()), d.get(0).members().get(0).metadata());
        assertEquals(Errors.GROUP_ID_NOT_FOUND, d.get(1).error());
        assertEquals("Dead", d.get(1).state());
        assertEquals(Errors.NONE, await(coordinator.describeGroups(List.of("missing"), 5)).get(0).error());
    }

    @Test
    void shouldEnforceGroupMaxSize() {
        coordinator = start(config.withMaxSize(1).withOffsetsTopicPartitions(5));
        stableSingle();
        // a full Stable group refuses a newcomer before handing out a member id, as Kafka does
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED, await(coordinator.joinGroup(join(""))).error());
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED, await(coordinator.joinGroup(join("", "static-2", SESSION))).error());
    }

    @Test
    void shouldAnswerLoadInProgressAndNotCoordinator() {
        groupLog.replayGate = io.vertx.core.Promise.promise();
        GroupCoordinator loading = new GroupCoordinator(vertx.getOrCreateContext(), config, groupLog,
                (t, p) -> true, now::get);
        Future<Void> started = loading.startup();
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, await(loading.joinGroup(join(""))).error());
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, await(loading.listGroups(Set.of(), Set.of())).error());
        groupLog.replayGate.complete();
        await(started);
        assertEquals(Errors.MEMBER_ID_REQUIRED, await(loading.joinGroup(join(""))).error());

        int p = loading.partitionFor(G);
        await(loading.unloadPartition(p));
        assertEquals(Errors.NOT_COORDINATOR, heartbeatOn(loading, "m"));
        assertEquals(Errors.NOT_COORDINATOR,
                await(loading.findCoordinator(GroupCoordinator.KEY_TYPE_GROUP, List.of(G))).get(0).error());
    }

    private short heartbeatOn(GroupCoordinator c, String memberId) {
        return await(c.heartbeat(new HeartbeatRequest(G, 1, memberId, null)));
    }

    @Test
    void shouldMapGroupsToPartitionsLikeKafka() {
        GroupCoordinator fifty = new GroupCoordinator(vertx.getOrCreateContext(), GroupConfig.defaults(), groupLog,
                (t, p) -> true, now::get);
        // Utils.abs(hashCode) % 50, with hashCode negative for this id
        String id = "console-consumer-12345";
        assertEquals((id.hashCode() & 0x7fffffff) % 50, fifty.partitionFor(id));
        assertEquals(Math.abs("a".hashCode()) % 50, fifty.partitionFor("a"));
        var found = await(coordinator.findCoordinator(GroupCoordinator.KEY_TYPE_GROUP, List.of(G)));
        assertEquals(Errors.NONE, found.get(0).error());
        assertEquals(coordinator.partitionFor(G), found.get(0).partition());
    }

    @Test
    void shouldNotRebalanceWhenFollowerRejoinsWithSameMetadataInStableGroup() {
        JoinResult a = await(coordinator.joinGroup(join("")));
        JoinResult b = await(coordinator.joinGroup(join("")));
        Future<JoinResult> ja = coordinator.joinGroup(join(a.memberId()));
        Future<JoinResult> jb = coordinator.joinGroup(join(b.memberId()));
        JoinResult ra = await(ja);
        JoinResult rb = await(jb);
        JoinResult leader = ra.members().isEmpty() ? rb : ra;
        JoinResult follower = leader == ra ? rb : ra;
        sync(leader, Map.of(leader.memberId(), bytes("L"), follower.memberId(), bytes("F")));
        sync(follower, Map.of());

        JoinResult again = await(coordinator.joinGroup(join(follower.memberId())));
        assertEquals(Errors.NONE, again.error());
        assertEquals(1, again.generationId());
        assertEquals(GroupState.STABLE, state());
        assertArrayEquals(bytes("F"), sync(again, Map.of()).assignment());
    }

    @Test
    void shouldResendJoinResponseDuringCompletingRebalance() {
        JoinResult a = await(joinNew());
        assertEquals(GroupState.COMPLETING_REBALANCE, state());
        JoinResult resent = await(coordinator.joinGroup(join(a.memberId())));
        assertEquals(a.generationId(), resent.generationId());
        assertEquals(a.memberId(), resent.leaderId());
        assertEquals(1, resent.members().size());
    }

    @Test
    void shouldRebalanceWhenMembersDoNotSyncInTime() {
        // Given a completed join whose leader never sends SyncGroup
        JoinResult a = await(joinNew());
        assertEquals(GroupState.COMPLETING_REBALANCE, state());
        // Then after the rebalance timeout the silent member is removed and the group rebalances to empty
        eventually(() -> state() == GroupState.EMPTY);
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(a.memberId(), 1));
    }

    @Test
    void shouldFailPendingSyncsWhenRebalanceStarts() {
        JoinResult a = await(coordinator.joinGroup(join("")));
        JoinResult b = await(coordinator.joinGroup(join("")));
        Future<JoinResult> ja = coordinator.joinGroup(join(a.memberId()));
        Future<JoinResult> jb = coordinator.joinGroup(join(b.memberId()));
        JoinResult ra = await(ja);
        JoinResult rb = await(jb);
        JoinResult follower = ra.members().isEmpty() ? ra : rb;
        Future<SyncResult> waiting = coordinator.syncGroup(new SyncRequest(G, 1, follower.memberId(), null, null, null, Map.of()));
        // When a new member joins before the leader syncs
        joinNew();
        // Then the parked follower sync answers REBALANCE_IN_PROGRESS
        assertEquals(Errors.REBALANCE_IN_PROGRESS, await(waiting).error());
        assertEquals(GroupState.PREPARING_REBALANCE, state());
    }

    @Test
    void shouldLetKnownStaticMemberRejoinFullGroup() {
        coordinator = start(config.withMaxSize(1).withOffsetsTopicPartitions(5));
        stableStatic("instance-1");
        assertEquals(Errors.NONE, await(coordinator.joinGroup(join("", "instance-1", SESSION))).error());
    }

    @Test
    void shouldServeRequestsFromAnotherContextOnThatContext() {
        io.vertx.core.Context caller = vertx.getOrCreateContext();
        java.util.concurrent.CompletableFuture<Boolean> onCaller = new java.util.concurrent.CompletableFuture<>();
        caller.runOnContext(v -> coordinator.joinGroup(join("")).onComplete(ar ->
                onCaller.complete(io.vertx.core.Vertx.currentContext() == caller)));
        assertTrue(await(Future.fromCompletionStage(onCaller)));
    }

    @Test
    void shouldExpireStaticMemberSessionAndRebalance() {
        // Given a stable group of a dynamic member and a short-session static member
        JoinResult a = await(coordinator.joinGroup(join("")));
        Future<JoinResult> ja = coordinator.joinGroup(join(a.memberId()));
        Future<JoinResult> js = coordinator.joinGroup(join("", "static-1", 300));
        JoinResult ra = await(ja);
        JoinResult rs = await(js);
        JoinResult leader = ra.members().isEmpty() ? rs : ra;
        sync(leader, Map.of());
        sync(leader == ra ? rs : ra, Map.of());
        assertEquals(GroupState.STABLE, state());

        // When the static member goes silent, its session expires like any other
        eventually(() -> heartbeat(a.memberId(), 1) == Errors.REBALANCE_IN_PROGRESS);
        JoinResult a2 = await(coordinator.joinGroup(join(a.memberId())));
        assertEquals(1, a2.members().size());
        assertTrue(await(coordinator.describeGroups(List.of(G), 5)).get(0).members().stream()
                .noneMatch(m -> "static-1".equals(m.groupInstanceId())));
    }

    @Test
    void shouldDropNewMemberThatWaitsTooLongInRebalance() {
        // Given a stable member with a long rebalance timeout that will not rejoin soon
        coordinator = start(config.withNewMemberJoinTimeoutMs(200).withOffsetsTopicPartitions(5));
        JoinResult first = await(coordinator.joinGroup(join("")));
        JoinRequest slow = new JoinRequest(G, first.memberId(), null, "consumer",
                List.of(new Protocol("range", bytes("m"))), SESSION, 60_000, "client", "/h", 9);
        JoinResult a = await(coordinator.joinGroup(slow));
        sync(a, Map.of());

        // When a new member joins and waits, the rebalance cannot finish before the new-member timeout
        Future<JoinResult> b = joinNew();

        // Then the new member is dropped and told UNKNOWN_MEMBER_ID, so that it retries
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(b).error());
    }

    @Test
    void shouldAnswerParkedRequestsWhenPartitionIsUnloaded() {
        JoinResult a = stableSingle();
        Future<JoinResult> b = joinNew();
        assertFalse(b.isComplete());
        await(coordinator.unloadPartition(coordinator.partitionFor(G)));
        assertEquals(Errors.NOT_COORDINATOR, await(b).error());
        assertEquals(Errors.NOT_COORDINATOR, heartbeat(a.memberId(), 1));
        // and loading it again brings the group back from the log
        await(coordinator.loadPartition(coordinator.partitionFor(G)));
        assertEquals(Errors.NONE, heartbeat(a.memberId(), 1));
    }

    @Test
    void shouldRefuseToServePartitionWithUnreadableRecords() {
        int p = coordinator.partitionFor(G);
        await(groupLog.append(p, List.of(new GroupLog.Record(new byte[] {0, 9}, new byte[] {1}))));
        GroupCoordinator restarted = new GroupCoordinator(vertx.getOrCreateContext(), config, groupLog,
                (t, q) -> true, now::get);
        assertTrue(restarted.startup().transform(ar -> Future.succeededFuture(ar.failed()))
                .toCompletionStage().toCompletableFuture().join());
        assertEquals(Errors.NOT_COORDINATOR, heartbeatOn(restarted, "m"));
    }

    @Test
    void shouldExpireConsumerGroupOffsetsRetentionAfterGroupBecameEmpty() {
        // Given a consumer group that committed, then emptied at time T
        JoinResult a = stableSingle();
        await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1, a.memberId(), null, -1,
                List.of(new PartitionOffset("t", 0, 9, -1, "")), 9)));
        now.addAndGet(config.offsetsRetentionMs()); // old commit, but the group was not empty until now
        await(coordinator.leaveGroup(G, List.of(new MemberIdentity(a.memberId(), null))));
        eventually(() -> state() == GroupState.EMPTY);

        // Then nothing expires until the retention has passed since it became empty
        assertEquals(0, await(coordinator.expireOffsets()));
        now.addAndGet(config.offsetsRetentionMs() - 1);
        assertEquals(0, await(coordinator.expireOffsets()));
        now.addAndGet(1);
        assertEquals(1, await(coordinator.expireOffsets()));
        assertEquals(GroupState.DEAD, state());
    }

    @Test
    void shouldLeaveInBatches() {
        JoinResult a = stableSingle();
        JoinResult pending = await(coordinator.joinGroup(join("")));
        var r = await(coordinator.leaveGroup(G, List.of(new MemberIdentity(a.memberId(), null),
                new MemberIdentity(pending.memberId(), null), new MemberIdentity("ghost", null),
                new MemberIdentity("ghost", "no-such-instance"))));
        assertEquals(Errors.NONE, r.error());
        assertEquals(List.of(Errors.NONE, Errors.NONE, Errors.UNKNOWN_MEMBER_ID,
                Errors.UNKNOWN_MEMBER_ID), r.members().stream().map(GroupMessages.LeaveMemberResult::error).toList());
        eventually(() -> state() == GroupState.EMPTY);
        assertEquals(Errors.UNKNOWN_MEMBER_ID, await(coordinator.joinGroup(join(pending.memberId()))).error());
    }

    @Test
    void shouldLetCallersChainCallsOnTheirContext() {
        // a handler on an event loop composing join -> join -> sync -> heartbeat
        io.vertx.core.Context caller = vertx.getOrCreateContext();
        java.util.concurrent.CompletableFuture<Short> done = new java.util.concurrent.CompletableFuture<>();
        caller.runOnContext(v -> coordinator.joinGroup(join(""))
                .compose(first -> coordinator.joinGroup(join(first.memberId())))
                .compose(j -> coordinator.syncGroup(new SyncRequest(G, j.generationId(), j.memberId(), null, null, null,
                                Map.of(j.memberId(), bytes("x"))))
                        .compose(s -> coordinator.heartbeat(new HeartbeatRequest(G, j.generationId(), j.memberId(), null))))
                .onComplete(ar -> done.complete(ar.succeeded() ? ar.result() : -100)));
        assertEquals(Errors.NONE, await(Future.fromCompletionStage(done)));
    }

    @Test
    void shouldExpireCommitWithExplicitRetentionAtItsExpireTimestamp() {
        // OffsetCommit v2-4 may carry retention_time_ms: that commit expires on its own clock (value v1)
        JoinResult a = stableSingle();
        await(coordinator.commitOffsets(new OffsetCommitRequest(G, 1, a.memberId(), null, 60_000,
                List.of(new PartitionOffset("t", 0, 3, -1, "m")), 2)));
        await(coordinator.leaveGroup(G, List.of(new MemberIdentity(a.memberId(), null))));
        eventually(() -> state() == GroupState.EMPTY);
        now.addAndGet(59_999);
        assertEquals(0, await(coordinator.expireOffsets()));
        now.addAndGet(1);
        assertEquals(1, await(coordinator.expireOffsets()));
    }
}
