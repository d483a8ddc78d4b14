package io.skua.broker.partition;

import java.util.List;

/**
 * What a partition's {@link Leadership} needs from the cluster: broker identities, the controller for ISR changes, the
 * freeze watch, and a context to run follow-ups on. Clustered, {@code cluster.ReplicaManager} implements it; a single
 * node leads every partition alone and needs none of it ({@link #SOLE}).
 */
public interface ReplicaControl {
    /** This broker's id. */
    int nodeId();

    /** The incarnation (broker epoch) the cluster metadata knows for {@code brokerId}, -1 when unknown. */
    long brokerEpoch(int brokerId);

    /** How long a follower may stay behind the leader's log end before it leaves the ISR. */
    long replicaLagTimeMaxMs();

    /** Freezes of this process seen so far (SIGSTOP, a long pause): a change makes every leadership suspect. */
    long freezes();

    /**
     * Sends {@code change} to the controller (asynchronously, possibly batched with others); the answer comes back
     * through {@link Leadership#isrChangeDone} on this control's context.
     */
    void alterIsr(IsrChange change);

    /** Runs {@code task} on this control's context. */
    void execute(Runnable task);

    /**
     * ISR changes keep being refused for a stale partition epoch: this broker's metadata is behind the controller's
     * and should be reloaded.
     */
    void metadataStale();

    /**
     * One ISR change a leader asks for: the ISR it wants (with the broker epochs it vouches for, -1 for not checked),
     * computed from the leader and partition epochs it saw. {@code added}: the follower being added, if any;
     * {@code confirm}: no change, only a check after a freeze that the controller still knows this leader epoch.
     */
    record IsrChange(Leadership leader, int leaderEpoch, int partitionEpoch, List<Integer> isr, List<Long> brokerEpochs,
                     Integer added, boolean confirm) {
    }

    /** A single node: no followers, no controller, no freezes that matter (nobody else could have taken over). */
    ReplicaControl SOLE = new ReplicaControl() {
        @Override
        public int nodeId() {
            return -1;
        }

        @Override
        public long brokerEpoch(int brokerId) {
            return -1;
        }

        @Override
        public long replicaLagTimeMaxMs() {
            return Long.MAX_VALUE;
        }

        @Override
        public long freezes() {
            return 0;
        }

        @Override
        public void alterIsr(IsrChange change) {
            throw new IllegalStateException("a sole replica has no ISR to change");
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void metadataStale() {
        }
    };
}
