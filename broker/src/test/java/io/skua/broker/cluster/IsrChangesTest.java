package io.skua.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.cluster.IsrChanges.IsrChange;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class IsrChangesTest {
    private static final TopicRecord TOPIC = new TopicRecord("t", "id", Map.of(), List.of(List.of(1, 2, 3)));
    /** Broker 1 leads at leader epoch 4, partition epoch 9, with the whole ISR. */
    private static final PartitionRecord CURRENT = new PartitionRecord(1, 4, List.of(1, 2, 3), 9, 2);
    private static final Set<Integer> LIVE = Set.of(1, 2, 3);
    private static final Map<Integer, Long> EPOCHS = Map.of(1, 100L, 2, 200L, 3, 300L);

    private static IsrChange change(int leaderEpoch, int partitionEpoch, List<Integer> isr, List<Long> epochs) {
        return new IsrChange("t", 0, leaderEpoch, partitionEpoch, isr, epochs);
    }

    private static PartitionRecord check(int brokerId, IsrChange c, TopicRecord topic, PartitionRecord old) {
        return IsrChanges.check(brokerId, c, topic, old, LIVE::contains, id -> EPOCHS.getOrDefault(id, -1L), 5);
    }

    private static short errorOf(Executable call) {
        return assertThrows(ApiException.class, call).errorCode();
    }

    @Test
    void shouldAcceptAShrinkFromTheLeaderWithTheCurrentEpochs() {
        PartitionRecord next = check(1, change(4, 9, List.of(1, 3), List.of(-1L, -1L)), TOPIC, CURRENT);

        assertEquals(new PartitionRecord(1, 4, List.of(1, 3), 10, 5), next);
    }

    @Test
    void shouldAcceptAnExpansionNamingTheRegisteredBrokerEpoch() {
        PartitionRecord shrunk = new PartitionRecord(1, 4, List.of(1), 9, 2);

        PartitionRecord next = check(1, change(4, 9, List.of(1, 2, 2), List.of(100L, 200L, 200L)), TOPIC, shrunk);

        assertEquals(new PartitionRecord(1, 4, List.of(1, 2), 10, 5), next);
    }

    @Test
    void shouldRefuseUnknownPartitions() {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, errorOf(() -> check(1, change(4, 9, List.of(1), List.of()), null, CURRENT)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, errorOf(() -> check(1, change(4, 9, List.of(1), List.of()), TOPIC, null)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, errorOf(() -> check(1,
                new IsrChange("t", 1, 4, 9, List.of(1), List.of()), TOPIC, CURRENT)));
    }

    @Test
    void shouldRefuseAChangeFromABrokerThatDoesNotLead() {
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, errorOf(() -> check(2, change(4, 9, List.of(2), List.of()), TOPIC, CURRENT)));
    }

    @Test
    void shouldRefuseAnotherLeaderEpochOrPartitionEpoch() {
        assertEquals(Errors.FENCED_LEADER_EPOCH, errorOf(() -> check(1, change(3, 9, List.of(1), List.of()), TOPIC, CURRENT)));
        assertEquals(Errors.INVALID_UPDATE_VERSION, errorOf(() -> check(1, change(4, 8, List.of(1), List.of()), TOPIC, CURRENT)));
    }

    @Test
    void shouldRefuseAnIsrWithoutItsLeader() {
        assertEquals(Errors.INVALID_REQUEST, errorOf(() -> check(1, change(4, 9, List.of(2, 3), List.of()), TOPIC, CURRENT)));
    }

    @Test
    void shouldRefuseMembersThatAreNotLiveReplicasOrRestartedSinceTheyFetched() {
        TopicRecord wide = new TopicRecord("t", "id", Map.of(), List.of(List.of(1, 2, 3, 4)));

        // 5 is not a replica; 4 is a replica but not live
        assertEquals(Errors.INELIGIBLE_REPLICA, errorOf(() -> check(1, change(4, 9, List.of(1, 5), List.of()), wide, CURRENT)));
        assertEquals(Errors.INELIGIBLE_REPLICA, errorOf(() -> check(1, change(4, 9, List.of(1, 4), List.of()), wide, CURRENT)));
        // 2 fetched with epoch 199, it has registered 200 since
        assertEquals(Errors.INELIGIBLE_REPLICA, errorOf(() -> check(1, change(4, 9, List.of(1, 2), List.of(-1L, 199L)),
                TOPIC, CURRENT)));
    }
}
