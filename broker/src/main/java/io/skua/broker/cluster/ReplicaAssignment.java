package io.skua.broker.cluster;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the replicas of new partitions go, decided from plain inputs (live brokers, partition count, replication
 * factor, the existing assignment, a start offset the caller picks at random). Pure: no caches, no Vert.x; invalid
 * requests fail with the {@link ApiException} a client is answered with.
 *
 * <p>Round robin over the live brokers in id order: partition p of a batch gets {@code live[start+p], live[start+p+1],
 * ...} (indices modulo the live count), so leaders (first replicas) and replicas spread evenly, and a random start
 * keeps topics created one after the other from all beginning on the lowest id.
 */
final class ReplicaAssignment {
    private ReplicaAssignment() {
    }

    /**
     * Replicas for {@code partitions} new partitions.
     *
     * @param start any int, taken modulo the live count
     * @throws ApiException INVALID_REPLICATION_FACTOR when fewer than {@code replicationFactor} brokers are live, or
     *                      the factor is below 1
     */
    static List<List<Integer>> spread(Collection<Integer> live, int partitions, int replicationFactor, int start) {
        if (replicationFactor < 1) {
            throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
        }
        List<Integer> sorted = new ArrayList<>(live);
        sorted.sort(null);
        if (replicationFactor > sorted.size()) {
            throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                    + replicationFactor + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + sorted.size() + " broker(s) are registered.");
        }
        int first = Math.floorMod(start, sorted.size());
        List<List<Integer>> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<Integer> r = new ArrayList<>(replicationFactor);
            for (int i = 0; i < replicationFactor; i++) {
                r.add(sorted.get((first + p + i) % sorted.size()));
            }
            out.add(List.copyOf(r));
        }
        return List.copyOf(out);
    }

    /**
     * The assignment of a topic grown to {@code newCount} partitions: the existing partitions unchanged, the new ones
     * with the topic's replication factor (that of its partition 0), spread over the live brokers.
     *
     * @throws ApiException INVALID_PARTITIONS when {@code newCount} is not above the current count;
     *                      INVALID_REPLICATION_FACTOR when too few brokers are live
     */
    static List<List<Integer>> grow(List<List<Integer>> existing, int newCount, Collection<Integer> live, int start) {
        requireMore(existing.size(), newCount);
        List<List<Integer>> out = new ArrayList<>(existing);
        out.addAll(spread(live, newCount - existing.size(), existing.get(0).size(), start));
        return List.copyOf(out);
    }

    /**
     * The assignment of a topic grown by the replicas a request named for its new partitions, after checking them:
     * one per new partition, each of the topic's replication factor, no duplicates, only registered brokers, at least
     * one live broker each.
     *
     * @throws ApiException INVALID_PARTITIONS when {@code newCount} is not above the current count;
     *                      INVALID_REPLICA_ASSIGNMENT when an assignment breaks one of the rules above
     */
    static List<List<Integer>> grow(List<List<Integer>> existing, int newCount, List<List<Integer>> assignments,
                                    Set<Integer> registered, Set<Integer> live) {
        requireMore(existing.size(), newCount);
        int added = newCount - existing.size();
        int rf = existing.get(0).size();
        if (assignments.size() != added) {
            throw new ApiException(Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + added
                    + " additional partition(s), but only " + assignments.size() + " assignment(s) were specified.");
        }
        for (List<Integer> a : assignments) {
            if (a.size() != rf) {
                throw new ApiException(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes a "
                        + "partition with " + a.size() + " replica(s), but this is not consistent with previous "
                        + "partitions, which have " + rf + " replica(s).");
            }
            if (new LinkedHashSet<>(a).size() != a.size()) {
                throw new ApiException(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment " + a
                        + " contains duplicate replicas.");
            }
            for (int id : a) {
                if (!registered.contains(id)) {
                    throw new ApiException(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes "
                            + "broker " + id + ", but no broker with that id is registered.");
                }
            }
            if (a.stream().noneMatch(live::contains)) {
                throw new ApiException(Errors.INVALID_REPLICA_ASSIGNMENT, "All brokers specified in the manual "
                        + "partition assignment " + a + " are offline.");
            }
        }
        List<List<Integer>> out = new ArrayList<>(existing);
        assignments.forEach(a -> out.add(List.copyOf(a)));
        return List.copyOf(out);
    }

    private static void requireMore(int current, int newCount) {
        if (newCount <= current) {
            throw new ApiException(Errors.INVALID_PARTITIONS, newCount == current
                    ? "Topic already has " + current + " partition(s)."
                    : "Topic currently has " + current + " partitions, which is higher than the requested " + newCount + ".");
        }
    }
}
