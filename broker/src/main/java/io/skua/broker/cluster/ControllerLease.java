package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.MetadataStore.Versioned;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * The controller role as a lease on the controller record in the partitions cache (docs/cluster.md, "Controller
 * election and epochs"). A node becomes controller only by writing {@code (itself, epoch + 1, renewals 0)} with a
 * conditional write; it keeps the role while it can renew the record (renewals + 1, conditionally), whether or not it
 * is the coordinator of the view. It renews in a round when it last saw the record change at least half of
 * {@link Controller#RECONCILE_INTERVAL_MS} ago (a renewal is itself a change that triggers a round). A renewal that fails (the minority side of a split, where the cache denies writes, or caches that no longer
 * take writes) makes it step down; a record that changed under it means it was replaced (fenced).
 *
 * <p>Who claims, when the holder does not renew: the coordinator of the current view (its oldest member) at once when
 * there is no record or the holder has left the view, and after {@link #LEASE_MS} without a change to the record; any
 * other member after twice that, so a coordinator whose caches are stuck does not leave the cluster without a
 * controller; a node whose own record lapsed (it stepped down) at once. "Without a change" is measured on this node's
 * clock from when it last saw the record change, so clocks need not agree. Epochs only increase (read + 1).
 *
 * <p>Threading: {@link #round} and {@link #lost} run on the controller thread only; {@link #epoch} may be read anywhere.
 */
final class ControllerLease {
    private static final System.Logger LOG = System.getLogger(ControllerLease.class.getName());
    /** A controller record unchanged for this long (no renewal seen) is taken as abandoned. */
    static final long LEASE_MS = 10_000;

    private final MetadataStore store;
    private final ClusterMetadata metadata;
    /** Asks for another round soon (a conditional write was lost: read again). */
    private final Runnable again;

    /** This node's controller epoch, or -1 when it is not the controller. */
    private volatile int epoch = -1;

    // ---- controller thread only ----
    /** When this node's claims began to fail (System.nanoTime), or 0; and when that was last logged. */
    private long claimFailingSince;
    private long claimFailureLogged;
    /** The controller record as this node last read it (null: none), and since when (System.nanoTime) it has read it. */
    private Versioned<ControllerRecord> observed;
    private long observedSince;

    ControllerLease(MetadataStore store, ClusterMetadata metadata, Runnable again) {
        this.store = store;
        this.metadata = metadata;
        this.again = again;
    }

    /** This node's controller epoch, or -1 when it is not the controller. */
    int epoch() {
        return epoch;
    }

    /**
     * One round: reads the record, then renews this node's lease or claims the role when the rules above say so.
     *
     * @return true when this node is the controller after the round (it then elects leaders)
     * @throws RuntimeException a failed read or write (DEGRADED caches, a stopping cache manager, a timed-out write):
     *                          the caller passes it to {@link #lost}
     */
    boolean round() {
        Versioned<ControllerRecord> stored = store.controller();
        ControllerRecord current = stored == null ? null : stored.value();
        long now = System.nanoTime();
        if (observedSince == 0 || !Objects.equals(stored, observed)) {
            observed = stored;
            observedSince = now;
        }
        boolean mine = current != null && current.epoch() == epoch && current.member().equals(metadata.member());
        if (epoch >= 0 && !mine) {
            LOG.log(Level.WARNING, "controller fenced node={0} epoch={1} current={2}", metadata.nodeId(), epoch, current);
            epoch = -1;
        }
        if (epoch >= 0 && (now - observedSince) / 1_000_000 < Controller.RECONCILE_INTERVAL_MS / 2) {
            // Renewed moments ago: a renewal is itself a metadata change that triggers a round, so renewing on
            // every round would loop as fast as the cache takes writes.
            return true;
        }
        if (epoch >= 0) {
            // The renewal proves that the caches still take this controller's writes.
            Versioned<ControllerRecord> renewed = store.replaceController(stored, current.renewed());
            if (renewed == null) {
                LOG.log(Level.WARNING, "controller fenced node={0} epoch={1}: the record changed during renewal",
                        metadata.nodeId(), epoch);
                epoch = -1;
                again.run();
                return false;
            }
            observed = renewed;
            observedSince = now;
            return true;
        }
        long unchangedMs = (now - observedSince) / 1_000_000;
        boolean coordinator = metadata.isCoordinator();
        boolean holderGone = current == null || !metadata.members().contains(current.member());
        // A record naming this node while it is not the controller: it stepped down, nobody renews that record.
        boolean lapsed = current != null && current.member().equals(metadata.member());
        boolean claim = lapsed || (coordinator ? holderGone || unchangedMs >= LEASE_MS : unchangedMs >= 2 * LEASE_MS);
        if (!claim) {
            claimFailingSince = 0;
            return false;
        }
        long started = System.nanoTime();
        int next = current == null ? 1 : current.epoch() + 1;
        Versioned<ControllerRecord> claimed = store.replaceController(stored,
                new ControllerRecord(metadata.nodeId(), metadata.member(), next, 0));
        if (claimed == null) {
            logClaimFailure(new IllegalStateException("the controller record changed: "
                    + (stored == null ? null : stored.stored())));
            again.run();
            return false;
        }
        epoch = next;
        claimFailingSince = 0;
        observed = claimed;
        observedSince = now;
        LOG.log(Level.INFO, "controller elected node={0} epoch={1} members={2} ms={3} previous={4}",
                metadata.nodeId(), next, metadata.members().size(), (System.nanoTime() - started) / 1_000_000,
                current == null ? "none" : current.nodeId() + (lapsed ? " (this node, stepped down)"
                        : holderGone ? " (left the view)" : " (record unchanged for " + unchangedMs + " ms)"));
        return true;
    }

    /**
     * A round failed (DEGRADED caches on the minority side of a split, a stopping cache manager, a timed-out write, or a
     * failed leader election): this node is not the controller.
     */
    void lost(RuntimeException e) {
        if (epoch >= 0) {
            LOG.log(Level.WARNING, "controller stepped down node={0} epoch={1}: {2}", metadata.nodeId(), epoch,
                    e.toString());
        } else {
            logClaimFailure(e);
        }
        epoch = -1;
    }

    /**
     * A node whose claims keep failing (the record is abandoned and nobody can take it over: no leader elections, no
     * ISR changes): said at WARNING once it has lasted 10 s, then every 30 s; a single failure (a split's minority
     * side, a stop) only at DEBUG.
     */
    private void logClaimFailure(RuntimeException e) {
        long now = System.nanoTime();
        if (claimFailingSince == 0) {
            claimFailingSince = now;
        }
        long failingMs = (now - claimFailingSince) / 1_000_000;
        if (failingMs >= 10_000 && (claimFailureLogged == 0 || now - claimFailureLogged >= 30_000_000_000L)) {
            claimFailureLogged = now;
            LOG.log(Level.WARNING, "controller claim failing node={0} for ms={1}: {2}",
                    metadata.nodeId(), failingMs, e.toString());
        } else {
            LOG.log(Level.DEBUG, () -> "controller claim failed node=" + metadata.nodeId() + ": " + e);
        }
    }
}
