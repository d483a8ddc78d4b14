package io.skua.broker.cluster;

import io.skua.protocol.ApiException;
import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.Errors;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place where a change that only the controller makes (topic admin) reaches it: on the controller it runs here;
 * on any other broker it is sent to the controller as a Kafka request over its listener ({@link ControllerClient}),
 * whose answer the controller computes by running it here in turn. Failures to reach the controller come back as
 * Kafka's retriable errors, so clients retry them: NOT_CONTROLLER (none known, connection lost or refused) and
 * REQUEST_TIMED_OUT (no answer within {@link ControllerClient#TIMEOUT_MS}).
 */
final class ControllerForwarding {
    private static final System.Logger LOG = System.getLogger(ControllerForwarding.class.getName());

    /** The version each forwarded API is sent in (flexible ones; every Skua broker serves them). */
    static final Map<ApiKey, Short> VERSIONS = Map.of(
            ApiKey.CREATE_TOPICS, (short) 7,
            ApiKey.DELETE_TOPICS, (short) 6,
            ApiKey.CREATE_PARTITIONS, (short) 3,
            ApiKey.ALTER_CONFIGS, (short) 2,
            ApiKey.INCREMENTAL_ALTER_CONFIGS, (short) 1);

    private final Controller controller;
    private final ControllerClient client;

    ControllerForwarding(Controller controller, ControllerClient client) {
        this.controller = controller;
        this.client = client;
    }

    /**
     * Runs a change on the controller: {@code onController} when this broker is the controller, else {@code request}
     * (of API {@code key}) sent to it, and {@code answer} reads the controller's response (it throws the
     * {@link ApiException} that response carries).
     */
    <T, R extends ApiMessage> Future<T> run(ApiKey key, ApiMessage request, Supplier<Future<T>> onController,
                                            Function<R, T> answer) {
        if (controller.isActive()) {
            return onController.get();
        }
        Short version = VERSIONS.get(key);
        if (version == null) {
            return Future.failedFuture(new IllegalArgumentException(key + " is not forwarded to the controller"));
        }
        return client.<R>send(key, version, request).recover(t -> {
            if (t instanceof ApiException) {
                return Future.failedFuture(t);
            }
            LOG.log(Level.DEBUG, () -> "cannot reach the controller api=" + key + ": " + t);
            return Future.failedFuture(new ApiException(Errors.NOT_CONTROLLER, "cannot reach the controller: " + t));
        }).map(answer);
    }

    /** A forwarded request's answer for its one resource: nothing, or its error as an {@link ApiException}. */
    static Void check(short errorCode, String message) {
        if (errorCode != Errors.NONE) {
            throw new ApiException(errorCode, message);
        }
        return null;
    }
}
