package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The version-dependent shapes the Java client no longer sends but others (librdkafka, older clients) do: single-key
 * FindCoordinator, single-group OffsetFetch, JoinGroup without a required member id, single-member LeaveGroup.
 * Requests and responses are coded by kafka-clients.
 */
class GroupOldVersionsTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldServeTheOldShapesOfTheGroupApis() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS);
             Socket socket = new Socket("127.0.0.1", skua.port())) {
            GroupCommitTest.createTopic(skua, "legacy", 2);
            int corr = 0;

            // FindCoordinator v0 (one key) and v4 (a batch; transactions have no coordinator here)
            var v0 = (FindCoordinatorResponse) RawKafka.roundTrip(socket, new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKey("legacy-group")).build((short) 0), ++corr);
            assertEquals(Errors.NONE, v0.error());
            assertEquals(skua.port(), v0.data().port());
            var v4 = (FindCoordinatorResponse) RawKafka.roundTrip(socket, new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of("a", "b")))
                    .build((short) 4), ++corr);
            assertEquals(2, v4.data().coordinators().size());
            v4.data().coordinators().forEach(c -> assertEquals(Errors.NONE.code(), c.errorCode()));
            var txn = (FindCoordinatorResponse) RawKafka.roundTrip(socket, new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("tx")))
                    .build((short) 4), ++corr);
            assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), txn.data().coordinators().get(0).errorCode());

            // JoinGroup v3 (no member id required), SyncGroup v0, Heartbeat v0, OffsetCommit v2, LeaveGroup v0
            JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1, 2}));
            var join = (JoinGroupResponse) RawKafka.roundTrip(socket, new JoinGroupRequest.Builder(
                    new JoinGroupRequestData().setGroupId("legacy-group").setSessionTimeoutMs(10_000)
                            .setRebalanceTimeoutMs(10_000).setMemberId("").setProtocolType("consumer")
                            .setProtocols(protocols)).build((short) 3), ++corr);
            assertEquals(Errors.NONE, join.error());
            String memberId = join.data().memberId();
            assertEquals(memberId, join.data().leader());
            assertEquals("range", join.data().protocolName());
            int generation = join.data().generationId();
            var sync = (SyncGroupResponse) RawKafka.roundTrip(socket, new SyncGroupRequest.Builder(
                    new SyncGroupRequestData().setGroupId("legacy-group").setGenerationId(generation)
                            .setMemberId(memberId).setAssignments(List.of(new SyncGroupRequestAssignment()
                                    .setMemberId(memberId).setAssignment(new byte[] {9, 9, 9})))).build((short) 0), ++corr);
            assertEquals(Errors.NONE, sync.error());
            assertArrayEquals(new byte[] {9, 9, 9}, sync.data().assignment());
            var heartbeat = (HeartbeatResponse) RawKafka.roundTrip(socket, new HeartbeatRequest.Builder(
                    new HeartbeatRequestData().setGroupId("legacy-group").setGenerationId(generation)
                            .setMemberId(memberId)).build((short) 0), ++corr);
            assertEquals(Errors.NONE, heartbeat.error());
            var commit = (OffsetCommitResponse) RawKafka.roundTrip(socket, OffsetCommitRequest.Builder.forTopicNames(
                    new OffsetCommitRequestData().setGroupId("legacy-group").setGenerationIdOrMemberEpoch(generation)
                            .setMemberId(memberId).setTopics(List.of(new OffsetCommitRequestTopic().setName("legacy")
                                    .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                            .setCommittedOffset(7).setCommittedMetadata("seven"))))))
                    .build((short) 2), ++corr);
            assertEquals(Errors.NONE.code(), commit.data().topics().get(0).partitions().get(0).errorCode());
            var leave = (LeaveGroupResponse) RawKafka.roundTrip(socket, new LeaveGroupRequest.Builder("legacy-group",
                    List.of(new MemberIdentity().setMemberId(memberId))).build((short) 0), ++corr);
            assertEquals(Errors.NONE, leave.error());
            var leaveAgain = (LeaveGroupResponse) RawKafka.roundTrip(socket, new LeaveGroupRequest.Builder(
                    "legacy-group", List.of(new MemberIdentity().setMemberId(memberId))).build((short) 0), ++corr);
            assertEquals(Errors.UNKNOWN_MEMBER_ID, leaveAgain.error());

            // OffsetFetch v1 (named partitions, no top-level error) and v7 (all partitions)
            OffsetFetchRequestData named = new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup()
                    .setGroupId("legacy-group").setTopics(List.of(new OffsetFetchRequestTopics().setName("legacy")
                            .setPartitionIndexes(List.of(0, 1))))));
            var v1 = (OffsetFetchResponse) RawKafka.roundTrip(socket,
                    OffsetFetchRequest.Builder.forTopicNames(named, false).build((short) 1), ++corr);
            var partitions = v1.data().topics().get(0).partitions();
            assertEquals(7, partitions.get(0).committedOffset());
            assertEquals("seven", partitions.get(0).metadata());
            assertEquals(-1, partitions.get(1).committedOffset());
            OffsetFetchRequestData all = new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup()
                    .setGroupId("legacy-group").setTopics(null)));
            var v7 = (OffsetFetchResponse) RawKafka.roundTrip(socket,
                    OffsetFetchRequest.Builder.forTopicNames(all, false).build((short) 7), ++corr);
            assertEquals(Errors.NONE.code(), v7.data().errorCode());
            assertEquals(1, v7.data().topics().size());
            assertEquals(7, v7.data().topics().get(0).partitions().get(0).committedOffset());
            assertFalse(socket.isClosed());
        }
    }
}
