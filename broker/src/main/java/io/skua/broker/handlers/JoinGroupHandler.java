package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.JoinMember;
import io.skua.broker.group.GroupMessages.JoinRequest;
import io.skua.broker.group.GroupMessages.Protocol;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.JoinGroupRequestData;
import io.skua.protocol.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import io.skua.protocol.message.JoinGroupResponseData;
import io.skua.protocol.message.JoinGroupResponseData.JoinGroupResponseMember;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * JoinGroup: v0 has no rebalance timeout (the session timeout stands in), v4+ requires a member id (KIP-394),
 * v5+ static membership, v9 SkipAssignment; the coordinator gets the version. Below v7 a null protocol name is
 * written as "".
 */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequestData, JoinGroupResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public JoinGroupHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.JOIN_GROUP;
    }

    @Override
    public Future<JoinGroupResponseData> handle(RequestContext ctx, JoinGroupRequestData request) {
        short version = ctx.apiVersion();
        List<Protocol> protocols = new ArrayList<>(request.protocols().size());
        for (JoinGroupRequestProtocol p : request.protocols()) {
            protocols.add(new Protocol(p.name(), p.metadata()));
        }
        int rebalanceTimeout = version == 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
        JoinRequest join = new JoinRequest(request.groupId(), request.memberId(), request.groupInstanceId(),
                request.protocolType(), protocols, request.sessionTimeoutMs(), rebalanceTimeout,
                ctx.clientId() == null ? "" : ctx.clientId(), clientHost(ctx.remoteAddress()), version);
        return groups.get().joinGroup(join).map(r -> {
            List<JoinGroupResponseMember> members = new ArrayList<>(r.members().size());
            for (JoinMember m : r.members()) {
                members.add(new JoinGroupResponseMember().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId()).setMetadata(m.metadata()));
            }
            String protocolName = r.protocolName() == null && version < 7 ? "" : r.protocolName();
            return new JoinGroupResponseData()
                    .setErrorCode(r.error())
                    .setGenerationId(r.generationId())
                    .setProtocolType(r.protocolType())
                    .setProtocolName(protocolName)
                    .setLeader(r.leaderId())
                    .setSkipAssignment(r.skipAssignment())
                    .setMemberId(r.memberId())
                    .setMembers(members);
        });
    }

    /** Kafka's form of a member's host: "/" and the address, without the port. */
    static String clientHost(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isEmpty()) {
            return "";
        }
        int colon = remoteAddress.lastIndexOf(':');
        String host = colon > 0 ? remoteAddress.substring(0, colon) : remoteAddress;
        return host.startsWith("/") ? host : "/" + host;
    }
}
