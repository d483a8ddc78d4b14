package io.skua.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);
    private static final int CONTROLLER_EPOCH = 7;

    private static PartitionRecord record(int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch) {
        return new PartitionRecord(leader, leaderEpoch, isr, partitionEpoch, 3);
    }

    @Test
    void shouldKeepTheSameRecordWhenTheLeaderAndTheWholeIsrAreLive() {
        // Given a partition whose leader and ISR are all live
        PartitionRecord current = record(1, 4, List.of(1, 2, 3), 9);

        // When the controller elects
        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(1, 2, 3), false, CONTROLLER_EPOCH);

        // Then nothing changes (the same instance: nothing to write)
        assertSame(current, next);
    }

    @Test
    void shouldDropDeadFollowersFromTheIsrAndKeepTheLeaderAndItsEpoch() {
        PartitionRecord current = record(1, 4, List.of(1, 2, 3), 9);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(1, 3), false, CONTROLLER_EPOCH);

        assertEquals(new PartitionRecord(1, 4, List.of(1, 3), 10, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldElectTheFirstLiveIsrMemberInReplicaOrderWhenTheLeaderDies() {
        // Given replicas in preference order 3, 1, 2 and an ISR listed in another order
        PartitionRecord current = record(3, 4, List.of(2, 1, 3), 9);

        // When the leader dies
        PartitionRecord next = LeaderElection.elect(current, List.of(3, 1, 2), Set.of(1, 2), false, CONTROLLER_EPOCH);

        // Then the next replica in preference order leads, with a higher leader epoch; the ISR keeps its order
        assertEquals(new PartitionRecord(1, 5, List.of(2, 1), 10, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldGiveALeaderlessPartitionALeaderWhenAnIsrMemberIsLive() {
        PartitionRecord current = record(-1, 5, List.of(2), 10);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(2, 3), false, CONTROLLER_EPOCH);

        assertEquals(new PartitionRecord(2, 6, List.of(2), 11, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldGoLeaderlessAndKeepTheLastIsrWhenNoIsrMemberIsLive() {
        // Given an ISR of 1 and 2, and only the out-of-sync replica 3 live
        PartitionRecord current = record(1, 4, List.of(1, 2), 9);

        // When unclean election is off
        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(3), false, CONTROLLER_EPOCH);

        // Then no leader, a new leader epoch, and the last ISR kept so that a member of it can lead again
        assertEquals(new PartitionRecord(-1, 5, List.of(1, 2), 10, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldLeaveALeaderlessPartitionAloneWhileNoIsrMemberIsBack() {
        PartitionRecord current = record(-1, 5, List.of(1, 2), 10);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(3), false, CONTROLLER_EPOCH);

        assertSame(current, next);
    }

    @Test
    void shouldLetAReturningMemberOfTheLastIsrLeadAgain() {
        PartitionRecord current = record(-1, 5, List.of(1, 2), 10);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(2, 3), false, CONTROLLER_EPOCH);

        assertEquals(new PartitionRecord(2, 6, List.of(2), 11, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldElectAnOutOfSyncReplicaWithAnIsrOfItselfOnlyWithUncleanElection() {
        PartitionRecord current = record(1, 4, List.of(1), 9);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(3, 2), true, CONTROLLER_EPOCH);

        // the first live replica in preference order
        assertEquals(new PartitionRecord(2, 5, List.of(2), 10, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldPreferAnIsrMemberEvenWithUncleanElection() {
        PartitionRecord current = record(1, 4, List.of(1, 3), 9);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(2, 3), true, CONTROLLER_EPOCH);

        assertEquals(new PartitionRecord(3, 5, List.of(3), 10, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldGoLeaderlessWithUncleanElectionWhenNoReplicaIsLive() {
        PartitionRecord current = record(1, 4, List.of(1, 2), 9);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(4, 5), true, CONTROLLER_EPOCH);

        assertEquals(new PartitionRecord(-1, 5, List.of(1, 2), 10, CONTROLLER_EPOCH), next);
    }

    @Test
    void shouldNotElectALiveBrokerThatIsNotAReplica() {
        PartitionRecord current = record(1, 4, List.of(1, 4), 9);

        PartitionRecord next = LeaderElection.elect(current, REPLICAS, Set.of(4), true, CONTROLLER_EPOCH);

        assertEquals(-1, next.leader());
    }

    @Test
    void shouldStartANewPartitionWithItsLiveReplicasAndTheFirstOfThemLeading() {
        assertEquals(new PartitionRecord(2, 0, List.of(2, 3), 0, CONTROLLER_EPOCH),
                LeaderElection.initial(REPLICAS, Set.of(2, 3), CONTROLLER_EPOCH));
        assertEquals(new PartitionRecord(1, 0, List.of(1, 2, 3), 0, CONTROLLER_EPOCH),
                LeaderElection.initial(REPLICAS, Set.of(1, 2, 3, 4), CONTROLLER_EPOCH));
        assertThrows(IllegalArgumentException.class, () -> LeaderElection.initial(REPLICAS, Set.of(4), CONTROLLER_EPOCH));
    }

    @Test
    void shouldTakeUncleanElectionFromTheTopicConfigElseTheBrokerDefault() {
        assertTrue(LeaderElection.unclean(Map.of(), true));
        assertFalse(LeaderElection.unclean(Map.of(), false));
        assertTrue(LeaderElection.unclean(Map.of("unclean.leader.election.enable", "true"), false));
        assertFalse(LeaderElection.unclean(Map.of("unclean.leader.election.enable", "false"), true));
    }
}
