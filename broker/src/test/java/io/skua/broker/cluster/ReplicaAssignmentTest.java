package io.skua.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ReplicaAssignmentTest {

    private static short errorOf(Executable call) {
        return assertThrows(ApiException.class, call).errorCode();
    }

    private static Map<Integer, Integer> leaderCounts(List<List<Integer>> assignment) {
        Map<Integer, Integer> counts = new HashMap<>();
        assignment.forEach(r -> counts.merge(r.get(0), 1, Integer::sum));
        return counts;
    }

    private static Map<Integer, Integer> replicaCounts(List<List<Integer>> assignment) {
        Map<Integer, Integer> counts = new HashMap<>();
        assignment.forEach(r -> r.forEach(id -> counts.merge(id, 1, Integer::sum)));
        return counts;
    }

    @Test
    void shouldSpreadReplicasRoundRobinOverTheLiveBrokersInIdOrder() {
        // Given live brokers in no particular order
        Set<Integer> live = new LinkedHashSet<>(List.of(3, 1, 2));

        // When six partitions with two replicas each are placed from start 0
        List<List<Integer>> assignment = ReplicaAssignment.spread(live, 6, 2, 0);

        // Then partition p gets live[p], live[p+1] of the sorted ids, and every broker leads two
        assertEquals(List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1), List.of(1, 2), List.of(2, 3), List.of(3, 1)),
                assignment);
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leaderCounts(assignment));
        assertEquals(Map.of(1, 4, 2, 4, 3, 4), replicaCounts(assignment));
    }

    @Test
    void shouldBeginAtTheStartTakenModuloTheLiveCount() {
        Set<Integer> live = Set.of(10, 20, 30);

        assertEquals(List.of(List.of(20), List.of(30)), ReplicaAssignment.spread(live, 2, 1, 1));
        assertEquals(List.of(List.of(20), List.of(30)), ReplicaAssignment.spread(live, 2, 1, 4));
        assertEquals(List.of(List.of(30), List.of(10)), ReplicaAssignment.spread(live, 2, 1, -1));
        // Integer.MIN_VALUE + 1 = -(3 * 715827882 + 1): the same as -1
        assertEquals(List.of(List.of(30), List.of(10)), ReplicaAssignment.spread(live, 2, 1, Integer.MIN_VALUE + 1));
    }

    @Test
    void shouldPutEveryLiveBrokerOnEveryPartitionWhenTheFactorEqualsTheBrokerCount() {
        List<List<Integer>> assignment = ReplicaAssignment.spread(Set.of(1, 2, 3), 4, 3, 2);

        for (List<Integer> replicas : assignment) {
            assertEquals(Set.of(1, 2, 3), Set.copyOf(replicas));
            assertEquals(3, replicas.size());
        }
        assertEquals(List.of(3, 1, 2), assignment.get(0));
    }

    @Test
    void shouldRefuseAReplicationFactorAboveTheLiveBrokerCount() {
        ApiException e = assertThrows(ApiException.class, () -> ReplicaAssignment.spread(Set.of(1, 2), 3, 3, 0));

        assertEquals(Errors.INVALID_REPLICATION_FACTOR, e.errorCode());
        assertTrue(e.getMessage().contains("only 2 broker(s) are registered"), e.getMessage());
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, errorOf(() -> ReplicaAssignment.spread(Set.of(), 1, 1, 0)));
    }

    @Test
    void shouldRefuseAReplicationFactorBelowOne() {
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, errorOf(() -> ReplicaAssignment.spread(Set.of(1), 1, 0, 0)));
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, errorOf(() -> ReplicaAssignment.spread(Set.of(), 1, 0, 0)));
    }

    @Test
    void shouldPlaceNothingForZeroPartitions() {
        assertEquals(List.of(), ReplicaAssignment.spread(Set.of(1, 2), 0, 2, 0));
    }

    @Test
    void shouldKeepExistingPartitionsAndSpreadAddedOnesWithTheTopicsReplicationFactor() {
        // Given a topic of three partitions with two replicas each
        List<List<Integer>> existing = List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1));

        // When it grows to six over three live brokers
        List<List<Integer>> grown = ReplicaAssignment.grow(existing, 6, Set.of(1, 2, 3), 1);

        // Then the old partitions are unchanged and the new ones are spread: each broker leads one of them
        assertEquals(existing, grown.subList(0, 3));
        List<List<Integer>> added = grown.subList(3, 6);
        assertEquals(List.of(List.of(2, 3), List.of(3, 1), List.of(1, 2)), added);
        assertEquals(Map.of(1, 1, 2, 1, 3, 1), leaderCounts(added));
        added.forEach(r -> assertEquals(2, Set.copyOf(r).size()));
    }

    @Test
    void shouldSpreadAddedPartitionsOverTheBrokersLiveNow() {
        // Given a topic placed on brokers 1-3, and brokers 2-5 live now
        List<List<Integer>> existing = List.of(List.of(1, 2, 3));

        List<List<Integer>> grown = ReplicaAssignment.grow(existing, 5, Set.of(2, 3, 4, 5), 0);

        assertEquals(List.of(List.of(2, 3, 4), List.of(3, 4, 5), List.of(4, 5, 2), List.of(5, 2, 3)), grown.subList(1, 5));
        assertEquals(Map.of(2, 1, 3, 1, 4, 1, 5, 1), leaderCounts(grown.subList(1, 5)));
    }

    @Test
    void shouldRefuseToGrowToTheSameOrAFewerPartitions() {
        List<List<Integer>> existing = List.of(List.of(1), List.of(2));

        ApiException same = assertThrows(ApiException.class, () -> ReplicaAssignment.grow(existing, 2, Set.of(1, 2), 0));
        ApiException fewer = assertThrows(ApiException.class, () -> ReplicaAssignment.grow(existing, 1, Set.of(1, 2), 0));

        assertEquals(Errors.INVALID_PARTITIONS, same.errorCode());
        assertEquals("Topic already has 2 partition(s).", same.getMessage());
        assertEquals(Errors.INVALID_PARTITIONS, fewer.errorCode());
        assertEquals(Errors.INVALID_PARTITIONS, errorOf(() -> ReplicaAssignment.grow(existing, 2, List.of(),
                Set.of(1, 2), Set.of(1, 2))));
    }

    @Test
    void shouldRefuseToGrowWhenFewerBrokersAreLiveThanTheReplicationFactor() {
        List<List<Integer>> existing = List.of(List.of(1, 2, 3));

        assertEquals(Errors.INVALID_REPLICATION_FACTOR, errorOf(() -> ReplicaAssignment.grow(existing, 2, Set.of(1, 2), 0)));
    }

    @Test
    void shouldTakeManualAssignmentsThatNameRegisteredBrokersWithAtLeastOneLive() {
        List<List<Integer>> existing = List.of(List.of(1, 2));

        List<List<Integer>> grown = ReplicaAssignment.grow(existing, 3, List.of(List.of(3, 1), List.of(2, 3)),
                Set.of(1, 2, 3), Set.of(1, 3));

        assertEquals(List.of(List.of(1, 2), List.of(3, 1), List.of(2, 3)), grown);
    }

    @Test
    void shouldRefuseManualAssignmentsThatBreakARule() {
        List<List<Integer>> existing = List.of(List.of(1, 2));
        Set<Integer> registered = Set.of(1, 2, 3);
        Set<Integer> live = Set.of(1, 2);

        // too few assignments for the partitions added
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, errorOf(() -> ReplicaAssignment.grow(existing, 3,
                List.of(List.of(1, 2)), registered, live)));
        // another replication factor
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, errorOf(() -> ReplicaAssignment.grow(existing, 2,
                List.of(List.of(1)), registered, live)));
        // a duplicate
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, errorOf(() -> ReplicaAssignment.grow(existing, 2,
                List.of(List.of(2, 2)), registered, live)));
        // a broker nobody registered
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, errorOf(() -> ReplicaAssignment.grow(existing, 2,
                List.of(List.of(1, 9)), registered, live)));
        // registered, but none of them live
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, errorOf(() -> ReplicaAssignment.grow(existing, 2,
                List.of(List.of(3)), registered, live)));
    }
}
