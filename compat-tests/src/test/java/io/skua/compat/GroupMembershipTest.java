package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.compat.GroupWorker.Stop;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Static membership, group.max.size and commits the coordinator must refuse, with real clients. */
class GroupMembershipTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldLetAStaticMemberRestartWithoutARebalance() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS)) {
            GroupCommitTest.createTopic(skua, "static", 4);
            Properties staticProps = props("static-group");
            staticProps.put("group.instance.id", "instance-a");
            staticProps.put("session.timeout.ms", "30000");
            // Given a static member and a dynamic one sharing the topic
            GroupWorker a = new GroupWorker("static-a", skua, "static", staticProps);
            GroupWorker b = new GroupWorker("dynamic-b", skua, "static", props("static-group"));
            awaitSplit(a, b, 4);
            Set<TopicPartition> aOwned = a.assignment;
            Set<TopicPartition> bOwned = b.assignment;
            int generation = b.generation;
            int bAssignments = b.assignedCallbacks.get();

            // When the static member stops (a static member sends no LeaveGroup) and comes back within its session
            a.stop(Stop.CLOSE);
            GroupWorker again = new GroupWorker("static-a-again", skua, "static", staticProps);
            GroupWorker.await("the restarted static member gets its partitions back", Duration.ofSeconds(30),
                    () -> again.assignment.equals(aOwned));

            // Then it rejoined the current generation: no rebalance, the other member is untouched
            assertEquals(generation, again.generation);
            long bSeen = b.consumedCount();
            GroupWorker.await("the dynamic member keeps polling", Duration.ofSeconds(10), () -> b.generation == generation
                    && b.consumedCount() >= bSeen);
            assertEquals(generation, b.generation);
            assertEquals(bOwned, b.assignment);
            assertEquals(bAssignments, b.assignedCallbacks.get());
            try (Admin admin = Admin.create(skua.clientProps())) {
                var described = admin.describeConsumerGroups(List.of("static-group")).all().get().get("static-group");
                assertEquals(2, described.members().size());
                assertTrue(described.members().stream().anyMatch(m -> m.groupInstanceId().equals(java.util.Optional.of("instance-a"))));

                // When the static member stops for good and an operator removes it (no 30 s session wait)
                again.close();
                admin.removeMembersFromConsumerGroup("static-group", new RemoveMembersFromConsumerGroupOptions(
                        List.of(new MemberToRemove("instance-a")))).all().get();
                // Then the remaining member takes over every partition in a new generation
                GroupWorker.await("the dynamic member owns everything", Duration.ofSeconds(15),
                        () -> b.assignment.size() == 4 && b.generation > generation);
            }
            b.close();
        }
    }

    @Test
    void shouldRefuseTheMemberBeyondGroupMaxSize() throws Exception {
        Map<String, String> overrides = new HashMap<>(GroupCommitTest.FAST_GROUPS);
        overrides.put("group.max.size", "2");
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, overrides)) {
            GroupCommitTest.createTopic(skua, "crowd", 3);
            // Given a group at its maximum size
            GroupWorker first = new GroupWorker("first", skua, "crowd", props("crowd"));
            GroupWorker second = new GroupWorker("second", skua, "crowd", props("crowd"));
            awaitSplit(first, second, 3);
            // When a third member joins
            GroupWorker third = new GroupWorker("third", skua, "crowd", props("crowd"));
            // Then it is refused, and the group goes on as it was
            GroupWorker.await("the third member is refused", Duration.ofSeconds(30), third::stopped);
            assertEquals(1, third.failures.size());
            assertInstanceOf(GroupMaxSizeReachedException.class, third.failures.get(0));
            assertEquals(3, first.assignment.size() + second.assignment.size());
            first.close();
            second.close();
        }
    }

    @Test
    void shouldAnswerCommitsOutsideTheGroupWithKafkasErrors() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS)) {
            GroupCommitTest.createTopic(skua, "guarded", 2);
            GroupWorker member = new GroupWorker("member", skua, "guarded", props("guarded-group"));
            GroupWorker.await("member assigned", Duration.ofSeconds(30), () -> member.assignment.size() == 2);

            // A consumer that is not a member commits to the active group: refused, the group is untouched
            try (KafkaConsumer<byte[], byte[]> outsider = Clients.consumer(skua, props("guarded-group"))) {
                TopicPartition tp = new TopicPartition("guarded", 0);
                outsider.assign(List.of(tp));
                assertThrows(CommitFailedException.class,
                        () -> outsider.commitSync(Map.of(tp, new OffsetAndMetadata(1))));
            }

            // A commit with a generation to a group that does not exist: v9+ GROUP_ID_NOT_FOUND, before ILLEGAL_GENERATION
            try (Socket socket = new Socket("127.0.0.1", skua.port())) {
                assertEquals(Errors.GROUP_ID_NOT_FOUND, staleCommit(socket, (short) 9, 1));
                assertEquals(Errors.ILLEGAL_GENERATION, staleCommit(socket, (short) 8, 2));
                assertEquals(Errors.ILLEGAL_GENERATION, staleCommit(socket, (short) 2, 3));
            }
            // and the broker is fine: the member still owns its partitions and commits
            assertEquals(2, member.assignment.size());
            member.close();
            assertTrue(member.failures.isEmpty(), member.failures.toString());
        }
    }

    @Test
    void shouldRefuseClientRecordsInTheOffsetsTopic() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS);
             var producer = Clients.producer(skua, new Properties())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>("__consumer_offsets", 0, new byte[] {1}, new byte[] {2})).get());
            assertInstanceOf(InvalidTopicException.class, e.getCause());
        }
    }

    /** An OffsetCommit with generation 5 to a group nobody created, encoded and decoded by kafka-clients. */
    private static Errors staleCommit(Socket socket, short version, int correlationId) throws Exception {
        OffsetCommitRequestData data = new OffsetCommitRequestData()
                .setGroupId("ghost-group").setGenerationIdOrMemberEpoch(5).setMemberId("ghost-member")
                .setTopics(List.of(new OffsetCommitRequestTopic().setName("guarded")
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(1).setCommittedMetadata("")))));
        OffsetCommitRequest request = OffsetCommitRequest.Builder.forTopicNames(data).build(version);
        OffsetCommitResponseData body = ((OffsetCommitResponse) RawKafka.roundTrip(socket, request, correlationId)).data();
        return Errors.forCode(body.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void shouldAdvertiseTheClassicGroupApisAndNotKip848() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS);
             Socket socket = new Socket("127.0.0.1", skua.port())) {
            ApiVersionsResponse response = (ApiVersionsResponse) RawKafka.roundTrip(socket,
                    new ApiVersionsRequest.Builder().build((short) 3), 1);
            Map<ApiKeys, String> expected = Map.ofEntries(
                    Map.entry(ApiKeys.OFFSET_COMMIT, "2-10"), Map.entry(ApiKeys.OFFSET_FETCH, "1-10"),
                    Map.entry(ApiKeys.FIND_COORDINATOR, "0-6"), Map.entry(ApiKeys.JOIN_GROUP, "0-9"),
                    Map.entry(ApiKeys.HEARTBEAT, "0-4"), Map.entry(ApiKeys.LEAVE_GROUP, "0-5"),
                    Map.entry(ApiKeys.SYNC_GROUP, "0-5"), Map.entry(ApiKeys.DESCRIBE_GROUPS, "0-6"),
                    Map.entry(ApiKeys.LIST_GROUPS, "0-5"), Map.entry(ApiKeys.DELETE_GROUPS, "0-2"),
                    Map.entry(ApiKeys.OFFSET_DELETE, "0-0"));
            expected.forEach((key, range) -> {
                var v = response.apiVersion(key.id);
                assertTrue(v != null, key + " not advertised");
                assertEquals(range, v.minVersion() + "-" + v.maxVersion(), key.toString());
            });
            assertEquals(null, response.apiVersion(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id));
            assertEquals(null, response.apiVersion(ApiKeys.CONSUMER_GROUP_DESCRIBE.id));
        }
    }

    static Properties props(String group) {
        Properties p = new Properties();
        p.put("group.id", group);
        p.put("session.timeout.ms", "10000");
        p.put("heartbeat.interval.ms", "1000");
        return p;
    }

    private static void awaitSplit(GroupWorker x, GroupWorker y, int partitions) throws InterruptedException {
        GroupWorker.await(x.name + " and " + y.name + " share " + partitions + " partitions", Duration.ofSeconds(30),
                () -> !x.assignment.isEmpty() && !y.assignment.isEmpty()
                        && GroupWorker.union(List.of(x, y)).size() == partitions
                        && x.assignment.size() + y.assignment.size() == partitions
                        && x.generation == y.generation);
    }
}
