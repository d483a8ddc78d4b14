package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.Node;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DescribeClusterRequestData;
import io.skua.protocol.message.DescribeClusterResponseData;
import io.skua.protocol.message.DescribeClusterResponseData.DescribeClusterBroker;
import io.vertx.core.Future;

/**
 * DescribeCluster: the live brokers on the listener the request came in on, the cluster id and the controller.
 * Skua has no authorizer, so when asked for the cluster's authorized operations it answers every operation the
 * cluster resource supports (as Kafka does without an authorizer).
 */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequestData, DescribeClusterResponseData> {
    /** Endpoint types (KIP-919). */
    static final byte BROKER_ENDPOINT = 1;
    static final byte CONTROLLER_ENDPOINT = 2;
    /** AclOperation codes the CLUSTER resource supports: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION,
     *  DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
    static final int CLUSTER_OPERATIONS = bits(5, 7, 8, 9, 10, 11, 12);

    private final ClusterView cluster;

    public DescribeClusterHandler(ClusterView cluster) {
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DESCRIBE_CLUSTER;
    }

    @Override
    public Future<DescribeClusterResponseData> handle(RequestContext ctx, DescribeClusterRequestData request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData().setEndpointType(BROKER_ENDPOINT);
        if (request.endpointType() == CONTROLLER_ENDPOINT) {
            return Future.succeededFuture(response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE).setErrorMessage(
                    "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"));
        }
        if (request.endpointType() != BROKER_ENDPOINT) {
            return Future.succeededFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE)
                    .setErrorMessage("Unsupported endpoint type " + request.endpointType()));
        }
        response.setClusterId(cluster.clusterId()).setControllerId(cluster.controllerId());
        for (Node node : cluster.liveBrokers(ctx.listenerName())) {
            response.brokers().add(new DescribeClusterBroker()
                    .setBrokerId(node.id())
                    .setHost(node.host())
                    .setPort(node.port())
                    .setRack(node.rack())
                    .setIsFenced(false));
        }
        response.setClusterAuthorizedOperations(request.includeClusterAuthorizedOperations()
                ? CLUSTER_OPERATIONS : Integer.MIN_VALUE);
        return Future.succeededFuture(response);
    }

    private static int bits(int... operations) {
        int mask = 0;
        for (int op : operations) {
            mask |= 1 << op;
        }
        return mask;
    }
}
