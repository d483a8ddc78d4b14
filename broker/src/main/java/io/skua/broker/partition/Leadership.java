package io.skua.broker.partition;

import io.skua.protocol.Errors;
import io.skua.protocol.Uuid;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This broker's leadership of one partition for one leader epoch: the ISR as the controller last published it, each
 * follower's progress (the log end its last fetch showed), the high watermark they allow, the effective
 * {@code min.insync.replicas}, and the ISR changes to ask the controller for (a follower that fell behind for
 * {@code replica.lag.time.max.ms} leaves, one that reached the high watermark joins). A single node leads every
 * partition with a {@link #sole} leadership: no followers, so every append is committed at once.
 *
 * <p>Two fences: after a freeze of this process ({@link ReplicaControl#freezes}: SIGSTOP, a long GC pause) the others
 * may have elected another leader meanwhile, so the leadership is <em>suspect</em> and the high watermark stands
 * still until the controller, asked after the freeze, confirms this leader epoch; when the controller answers that the
 * epoch is over, the leadership is <em>deposed</em> and acknowledges nothing any more.
 *
 * <p>Thread-safe: guarded by its monitor. Touched by follower fetches (event loops), appends (the partition's writer)
 * and metadata changes and controller answers (the {@link ReplicaControl}'s context).
 */
public final class Leadership {
    private static final System.Logger LOG = System.getLogger(Leadership.class.getName());
    /** Wait after a refused ISR change before asking again (Kafka backs off too). */
    static final long ALTER_RETRY_BACKOFF_MS = 500;
    /**
     * ISR changes refused this many times in a row with INVALID_UPDATE_VERSION: this broker's metadata is behind the
     * controller's (after a merge a record can change without an event), so it is reloaded.
     */
    static final int STALE_VERSION_REFUSALS = 3;

    private final Partition partition;
    private final Uuid topicId;
    private final int leaderEpoch;
    private final List<Integer> replicas;
    private final ReplicaControl control;
    /** The log end when this broker became leader: a follower must reach it before it rejoins the ISR. */
    private final long epochStartOffset;
    private final Map<Integer, Follower> followers = new HashMap<>();
    /** Followers this leader asked to add; counted for the high watermark from the request on (Kafka's maximal ISR). */
    private final Set<Integer> pendingAdds = new HashSet<>();
    private List<Integer> isr;
    private int partitionEpoch;
    private int minIsr;
    private boolean alterInFlight;
    /** After a refused ISR change, none is asked for before this time (ms): a refusal repeated per fetch is a storm. */
    private long alterRetryNotBeforeMs;
    /** {@link ReplicaControl#freezes} when this leadership last looked. */
    private long freezesSeen;
    private boolean suspect;
    private boolean deposed;
    /** ISR changes refused with INVALID_UPDATE_VERSION in a row. */
    private int staleVersionRefusals;

    /**
     * @param isr            the ISR the controller published with this leader epoch
     * @param partitionEpoch the partition epoch of that record (ISR changes are asked against it)
     * @param minIsr         the effective {@code min.insync.replicas} ({@link #effectiveMinIsr})
     */
    public Leadership(Partition partition, Uuid topicId, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
                      int partitionEpoch, int minIsr, ReplicaControl control) {
        this.partition = partition;
        this.topicId = topicId;
        this.leaderEpoch = leaderEpoch;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(isr);
        this.partitionEpoch = partitionEpoch;
        this.minIsr = minIsr;
        this.control = control;
        this.epochStartOffset = partition.logEndOffset();
        this.freezesSeen = control.freezes();
        long now = System.currentTimeMillis();
        for (int r : replicas) {
            if (r != control.nodeId()) {
                Follower f = new Follower();
                f.lastCaughtUpMs = now;
                followers.put(r, f);
            }
        }
    }

    /** A single node's leadership of {@code partition}: leader epoch 0, the only replica and ISR member. */
    public static Leadership sole(Partition partition) {
        List<Integer> self = List.of(ReplicaControl.SOLE.nodeId());
        return new Leadership(partition, Uuid.ZERO, 0, self, self, 0, 1, ReplicaControl.SOLE);
    }

    /**
     * The minimum ISR a partition enforces: {@code min.insync.replicas}, capped at the partition's replica count (Kafka
     * 3.7+). With the broker default 2, as Kafka's docs set it for a 3-broker cluster, acks=all to an RF-1 topic works.
     */
    public static int effectiveMinIsr(int configured, int replicaCount) {
        return Math.max(1, Math.min(configured, replicaCount));
    }

    public Partition partition() {
        return partition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public synchronized List<Integer> isr() {
        return isr;
    }

    public synchronized int minIsr() {
        return minIsr;
    }

    /** The topic's {@code min.insync.replicas} changed: {@code configured} is the new value, capped here. */
    public void minInsyncReplicas(int configured) {
        int capped = effectiveMinIsr(configured, replicas.size());
        synchronized (this) {
            if (capped == minIsr) {
                return;
            }
            minIsr = capped;
        }
        maybeAdvanceHighWatermark();
        partition.wakeWaiters();
    }

    /** Whether the ISR is large enough for acks=all (at least the effective minimum). */
    public synchronized boolean enoughInSync() {
        return isr.size() >= minIsr;
    }

    /** The controller answered that this leader epoch is over: nothing is acknowledged under it any more. */
    public synchronized boolean deposed() {
        return deposed;
    }

    /** Context: the controller published the partition again (a change, or the periodic round). */
    public void onMetadata(List<Integer> nextIsr, int nextPartitionEpoch) {
        synchronized (this) {
            isr = List.copyOf(nextIsr);
            partitionEpoch = nextPartitionEpoch;
            pendingAdds.removeIf(isr::contains);
        }
        maybeAdvanceHighWatermark();
        maybeShrinkIsr();
        partition.wakeWaiters();
    }

    /**
     * A follower fetched from {@code fetchOffset} (its log end): records its progress, may ask for it to join the ISR,
     * and advances the high watermark. Completes once the high watermark reflects it.
     *
     * @param replicaEpoch the follower's broker epoch from the fetch (Fetch v15+), or -1
     */
    public Future<Void> followerFetched(int replicaId, long replicaEpoch, long fetchOffset) {
        long now = System.currentTimeMillis();
        long leaderEnd = partition.logEndOffset();
        boolean expand = false;
        synchronized (this) {
            Follower f = followers.get(replicaId);
            if (f == null) {
                return Future.succeededFuture();
            }
            f.logEndOffset = fetchOffset;
            f.brokerEpoch = replicaEpoch;
            if (fetchOffset >= leaderEnd) {
                f.lastCaughtUpMs = now;
            } else if (f.leaderEndAtLastFetch >= 0 && fetchOffset >= f.leaderEndAtLastFetch) {
                f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
            }
            f.lastFetchMs = now;
            f.leaderEndAtLastFetch = leaderEnd;
            if (!isr.contains(replicaId) && !pendingAdds.contains(replicaId) && !alterInFlight && !deposed
                    && fetchOffset >= partition.highWatermark() && fetchOffset >= epochStartOffset
                    // KIP-903: only the incarnation the metadata knows (a fetch from before a restart is not)
                    && (replicaEpoch < 0 || replicaEpoch == control.brokerEpoch(replicaId))) {
                expand = true;
            }
        }
        if (expand) {
            expandIsr(replicaId);
        }
        return maybeAdvanceHighWatermark();
    }

    /**
     * The high watermark the ISR allows with the leader's log end at {@code leaderEnd}: the smallest log end over the
     * ISR and pending additions; -1 (no advance) while the ISR is below the effective {@code min.insync.replicas}
     * (Kafka 3.7+: acks=1 records written then stay invisible until enough replicas have them) or the leadership is
     * fenced.
     */
    synchronized long highWatermarkAllowed(long leaderEnd) {
        if (fenced() || isr.size() < minIsr) {
            return -1;
        }
        // (runs after every append: no copies; a member in both collections only counts twice for the same minimum)
        return Math.min(smallestLogEnd(isr, leaderEnd), smallestLogEnd(pendingAdds, leaderEnd));
    }

    /** Under this monitor: the smallest log end of {@code members}' followers, at most {@code leaderEnd}. */
    private long smallestLogEnd(Iterable<Integer> members, long leaderEnd) {
        long hw = leaderEnd;
        for (int id : members) {
            if (id != control.nodeId()) {
                Follower f = followers.get(id);
                hw = Math.min(hw, f == null ? -1 : f.logEndOffset);
            }
        }
        return hw;
    }

    /** Moves the partition's high watermark to what the ISR allows, if that is further. */
    Future<Void> maybeAdvanceHighWatermark() {
        long hw = highWatermarkAllowed(partition.logEndOffset());
        if (hw > partition.highWatermark()) {
            return partition.advanceHighWatermark(hw).mapEmpty();
        }
        return Future.succeededFuture();
    }

    /**
     * Under this monitor: true while nothing may be acknowledged (suspect after a freeze, or deposed). The first call
     * after a freeze makes this leadership suspect and asks the controller for a confirmation.
     */
    private boolean fenced() {
        long seen = control.freezes();
        if (seen != freezesSeen) {
            freezesSeen = seen;
            if (!suspect && !deposed) {
                suspect = true;
                LOG.log(Level.WARNING, "leadership suspect after a freeze partition={0}-{1} leaderEpoch={2} leo={3}"
                        + " hw={4}: nothing acknowledged until the controller confirms it", partition.topic(),
                        partition.index(), leaderEpoch, partition.logEndOffset(), partition.highWatermark());
                control.execute(this::maybeConfirmLeadership);
            }
        }
        return suspect || deposed;
    }

    /**
     * Context: after a freeze, asks the controller to confirm this leader epoch with an ISR change that keeps the ISR
     * as this leader knows it. The controller checks leader, leader epoch and partition epoch first: NONE,
     * INVALID_UPDATE_VERSION (the ISR changed meanwhile) or INELIGIBLE_REPLICA (a member is gone) all mean this broker
     * still leads at this epoch; NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH that it does not (deposed); anything
     * else (NOT_CONTROLLER, a timeout) is asked again, from the periodic round, after the backoff.
     */
    public void maybeConfirmLeadership() {
        ReplicaControl.IsrChange change;
        synchronized (this) {
            if (!suspect || deposed || alterInFlight || System.currentTimeMillis() < alterRetryNotBeforeMs) {
                return;
            }
            alterInFlight = true;
            List<Long> epochs = new ArrayList<>();
            for (int id : isr) {
                epochs.add(id == control.nodeId() ? control.brokerEpoch(id) : -1L);
            }
            change = new ReplicaControl.IsrChange(this, leaderEpoch, partitionEpoch, isr, epochs, null, true);
        }
        LOG.log(Level.INFO, "confirming leadership partition={0}-{1} leaderEpoch={2} partitionEpoch={3}",
                partition.topic(), partition.index(), leaderEpoch, change.partitionEpoch());
        control.alterIsr(change);
    }

    private void maybeShrinkIsr() {
        List<Integer> keep = new ArrayList<>();
        List<Integer> before;
        synchronized (this) {
            long now = System.currentTimeMillis();
            if (alterInFlight || now < alterRetryNotBeforeMs || deposed) {
                return;
            }
            before = isr;
            for (int id : isr) {
                Follower f = followers.get(id);
                if (id == control.nodeId() || (f != null && now - f.lastCaughtUpMs <= control.replicaLagTimeMaxMs())) {
                    keep.add(id);
                }
            }
            if (keep.size() == isr.size()) {
                return;
            }
            alterInFlight = true;
        }
        LOG.log(Level.INFO, "shrinking isr partition={0}-{1} isr={2} -> {3}", partition.topic(), partition.index(),
                before, keep);
        alterIsr(keep, null, -1);
    }

    private void expandIsr(int replicaId) {
        List<Integer> grown;
        List<Integer> before;
        long epoch;
        synchronized (this) {
            if (alterInFlight || System.currentTimeMillis() < alterRetryNotBeforeMs) {
                return;
            }
            epoch = followers.get(replicaId).brokerEpoch;
            alterInFlight = true;
            pendingAdds.add(replicaId);
            before = isr;
            grown = new ArrayList<>(isr);
            grown.add(replicaId);
        }
        LOG.log(Level.INFO, "expanding isr partition={0}-{1} isr={2} -> {3}", partition.topic(), partition.index(),
                before, grown);
        alterIsr(grown, replicaId, epoch);
    }

    /**
     * Asks for the change. Broker epochs: the added replica's from its fetch, this leader's own; -1 (not checked) for
     * members that stay, so a shrink is not refused over a member the controller is about to drop anyway.
     */
    private void alterIsr(List<Integer> wanted, Integer added, long addedEpoch) {
        List<Long> epochs = new ArrayList<>();
        for (int id : wanted) {
            epochs.add(id == control.nodeId() ? control.brokerEpoch(id)
                    : added != null && id == added ? addedEpoch : -1L);
        }
        int seenEpoch;
        synchronized (this) {
            seenEpoch = partitionEpoch;
        }
        control.alterIsr(new ReplicaControl.IsrChange(this, leaderEpoch, seenEpoch, wanted, epochs, added, false));
    }

    /** Context: the controller's answer to an ISR change of this leadership; after a refusal, the next waits a little. */
    public void isrChangeDone(ReplicaControl.IsrChange change, short error) {
        boolean confirmed = false;
        boolean depose = false;
        boolean stale = false;
        synchronized (this) {
            alterInFlight = false;
            staleVersionRefusals = error == Errors.INVALID_UPDATE_VERSION ? staleVersionRefusals + 1 : 0;
            if (staleVersionRefusals >= STALE_VERSION_REFUSALS) {
                staleVersionRefusals = 0;
                stale = true;
            }
            if (error != Errors.NONE && change.added() != null) {
                pendingAdds.remove(change.added());
            }
            if (error != Errors.NONE) {
                alterRetryNotBeforeMs = System.currentTimeMillis() + ALTER_RETRY_BACKOFF_MS;
            }
            if ((error == Errors.NOT_LEADER_OR_FOLLOWER || error == Errors.FENCED_LEADER_EPOCH) && !deposed) {
                // fenced by epoch: the controller knows a newer leader (epoch) than this one
                deposed = true;
                depose = true;
            } else if (change.confirm() && suspect && !deposed && (error == Errors.NONE
                    || error == Errors.INVALID_UPDATE_VERSION || error == Errors.INELIGIBLE_REPLICA)) {
                suspect = false;
                confirmed = true;
            }
        }
        if (error != Errors.NONE) {
            LOG.log(Level.INFO, "isr change refused partition={0}-{1} isr={2}: {3}", partition.topic(),
                    partition.index(), change.isr(), Errors.name(error));
        }
        if (stale) {
            LOG.log(Level.WARNING, "isr change refused {0} times in a row for a stale partition epoch partition={1}-{2}"
                    + " partitionEpoch={3}: reloading the metadata", STALE_VERSION_REFUSALS, partition.topic(),
                    partition.index(), change.partitionEpoch());
            control.metadataStale();
        }
        if (depose) {
            LOG.log(Level.WARNING, "leadership over partition={0}-{1} leaderEpoch={2}: {3}; nothing is acknowledged"
                    + " under this epoch any more", partition.topic(), partition.index(), leaderEpoch,
                    Errors.name(error));
            partition.wakeWaiters();
        }
        if (confirmed) {
            LOG.log(Level.INFO, "leadership confirmed after a freeze partition={0}-{1} leaderEpoch={2}",
                    partition.topic(), partition.index(), leaderEpoch);
            maybeAdvanceHighWatermark();
        }
    }

    /** What a follower has shown the leader. */
    private static final class Follower {
        long logEndOffset = -1;
        long lastCaughtUpMs;
        long lastFetchMs;
        long leaderEndAtLastFetch = -1;
        /** The broker epoch its last fetch carried (-1: unknown). */
        long brokerEpoch = -1;
    }
}
