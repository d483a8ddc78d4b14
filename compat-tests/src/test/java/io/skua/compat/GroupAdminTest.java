package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Admin client's consumer-group operations against the classic coordinator. */
class GroupAdminTest {
    @TempDir
    Path dataDir;

    @Test
    @SuppressWarnings({"deprecation", "removal"}) // listConsumerGroups: still what many tools call
    void shouldListDescribeAlterAndDeleteConsumerGroups() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, GroupCommitTest.FAST_GROUPS);
             Admin admin = Admin.create(skua.clientProps())) {
            // Given an active member that consumed and committed 10 records in each of two partitions
            GroupCommitTest.createTopic(skua, "adm", 2);
            try (var producer = Clients.producer(skua, new Properties())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("adm", 0, null, ("x" + i).getBytes()));
                    producer.send(new ProducerRecord<>("adm", 1, null, ("y" + i).getBytes()));
                }
                producer.flush();
            }
            TopicPartition p0 = new TopicPartition("adm", 0);
            TopicPartition p1 = new TopicPartition("adm", 1);
            GroupWorker member = new GroupWorker("admin-member", skua, "adm", GroupMembershipTest.props("adm-group"));
            GroupWorker.await("commits at the end", Duration.ofSeconds(30), () -> {
                try {
                    var offsets = admin.listConsumerGroupOffsets("adm-group").partitionsToOffsetAndMetadata().get();
                    return offsets.get(p0) != null && offsets.get(p0).offset() == 10
                            && offsets.get(p1) != null && offsets.get(p1).offset() == 10;
                } catch (Exception e) {
                    return false;
                }
            });

            // listGroups / listConsumerGroups
            GroupListing listed = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
                    .filter(g -> g.groupId().equals("adm-group")).findFirst().orElseThrow();
            assertEquals(Optional.of(GroupType.CLASSIC), listed.type());
            assertEquals("consumer", listed.protocol());
            assertEquals(Optional.of(GroupState.STABLE), listed.groupState());
            assertTrue(admin.listConsumerGroups().all().get().stream().anyMatch(g -> g.groupId().equals("adm-group")));

            // describeConsumerGroups: state, assignor, the member and its assignment
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of("adm-group")).all().get()
                    .get("adm-group");
            assertEquals(GroupState.STABLE, described.groupState());
            assertEquals(GroupType.CLASSIC, described.type());
            assertFalse(described.isSimpleConsumerGroup());
            assertEquals("range", described.partitionAssignor());
            assertEquals(1, described.members().size());
            MemberDescription m = described.members().iterator().next();
            assertEquals("admin-member", m.clientId());
            assertEquals("/127.0.0.1", m.host());
            assertEquals(member.memberId, m.consumerId());
            assertEquals(Set.of(p0, p1), m.assignment().topicPartitions());

            // deleteConsumerGroups while a member is active: NON_EMPTY_GROUP
            ExecutionException notEmpty = assertThrows(ExecutionException.class,
                    () -> admin.deleteConsumerGroups(List.of("adm-group")).all().get());
            assertInstanceOf(GroupNotEmptyException.class, notEmpty.getCause());

            // When the member leaves, offsets can be altered and deleted
            member.close();
            GroupWorker.await("group empty", Duration.ofSeconds(30), () -> state(admin, "adm-group") == GroupState.EMPTY);
            admin.alterConsumerGroupOffsets("adm-group", Map.of(p0, new OffsetAndMetadata(5, "rewound"))).all().get();
            admin.deleteConsumerGroupOffsets("adm-group", Set.of(p1)).all().get();
            var offsets = admin.listConsumerGroupOffsets("adm-group").partitionsToOffsetAndMetadata().get();
            assertEquals(5, offsets.get(p0).offset());
            assertEquals("rewound", offsets.get(p0).metadata());
            assertTrue(offsets.get(p1) == null, "deleted offset still listed: " + offsets);

            // and the empty group deleted
            admin.deleteConsumerGroups(List.of("adm-group")).all().get();
            assertFalse(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
                    .anyMatch(g -> g.groupId().equals("adm-group")));
            ExecutionException gone = assertThrows(ExecutionException.class,
                    () -> admin.describeConsumerGroups(List.of("adm-group")).all().get());
            assertInstanceOf(GroupIdNotFoundException.class, gone.getCause());
            assertTrue(member.failures.isEmpty(), member.failures.toString());
        }
    }

    private static GroupState state(Admin admin, String group) {
        try {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState();
        } catch (Exception e) {
            return GroupState.UNKNOWN;
        }
    }
}
