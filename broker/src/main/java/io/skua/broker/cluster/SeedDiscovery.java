package io.skua.broker.cluster;

import java.util.HashSet;
import java.util.Set;
import org.jgroups.PhysicalAddress;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.PingData;
import org.jgroups.protocols.TCPPING;
import org.jgroups.util.Responses;

/**
 * TCPPING (the seeds from {@code cluster.seeds}) with which the node that will found the cluster does so as soon as it
 * has heard from every other seed, instead of after the whole GMS join timeout.
 *
 * <p>Why: brokers started together all begin their discovery before any of them is a coordinator. Stock TCPPING then
 * waits the full {@code join_timeout} in every one of them, however fast the others answer (it ends early only on a
 * coordinator's answer), and GMS then makes the lowest address among them the coordinator. Once this node has heard
 * from all seeds (their answers, or their own discovery requests, which JGroups also counts as answers) and has the
 * lowest address of them all, that outcome is already decided: its discovery ends and it founds the cluster at once,
 * while the others are still in their first discovery round. They join it on their next round, which it answers as
 * coordinator. Its cache manager then starts while the others wait, not after.
 *
 * <p>The others are not cut short: ending their rounds early made GMS retry at once, ten times within a second
 * before the founder was coordinator, and then each became a singleton, to be merged seconds later (tried and seen).
 * When a seed is silent (not started yet, or gone) the join timeout applies, as with TCPPING. Only the discovery of a
 * node that has not joined yet is affected; merges and failure detection do not use it. On the wire it is TCPPING
 * (same protocol id and headers).
 */
public class SeedDiscovery extends TCPPING {

    public SeedDiscovery() {
        // TCPPING's protocol id: its discovery headers are TCPPING's, so brokers with stock TCPPING still find it.
        id = ClassConfigurator.getProtocolId(TCPPING.class);
    }

    @Override
    protected void addResponse(PingData rsp, boolean overwrite) {
        super.addResponse(rsp, overwrite);
        if (is_server || initial_hosts == null) {
            return;
        }
        Set<PhysicalAddress> others = new HashSet<>(initial_hosts);
        PhysicalAddress own = transport == null ? null : transport.localPhysicalAddress();
        if (own != null) {
            others.remove(own);
        }
        if (others.isEmpty()) {
            return;
        }
        synchronized (ping_responses) {
            for (Responses responses : ping_responses.values()) {
                if (responses.isDone()) {
                    continue;
                }
                Set<PhysicalAddress> heard = new HashSet<>();
                boolean lowest = true;
                for (PingData data : responses) {
                    if (data.getPhysicalAddr() != null) {
                        heard.add(data.getPhysicalAddr());
                    }
                    if (data.isCoord() || (data.getAddress() != null && data.getAddress().compareTo(local_addr) < 0)) {
                        lowest = false;
                    }
                }
                if (lowest && heard.containsAll(others)) {
                    log.debug("%s: every seed answered (%s) and this node has the lowest address: founding the cluster",
                            local_addr, heard);
                    responses.done();
                }
            }
        }
    }
}
