package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.InitProducerIdRequestData;
import io.skua.protocol.message.InitProducerIdResponseData;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * InitProducerId for idempotent producers: a fresh producer id with epoch 0, or (KIP-360) the same id with
 * the next epoch when the producer asks to bump its own. Transactional ids are refused: Skua has no
 * transaction coordinator.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequestData, InitProducerIdResponseData> {
    private final Supplier<Future<Long>> producerIds;

    public InitProducerIdHandler(Supplier<Future<Long>> producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.INIT_PRODUCER_ID;
    }

    @Override
    public Future<InitProducerIdResponseData> handle(RequestContext ctx, InitProducerIdRequestData request) {
        if (request.transactionalId() != null) {
            return Future.succeededFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
                    .setProducerId(-1).setProducerEpoch((short) -1));
        }
        if (request.producerId() >= 0 && request.producerEpoch() >= 0 && request.producerEpoch() < Short.MAX_VALUE - 1) {
            return Future.succeededFuture(new InitProducerIdResponseData()
                    .setProducerId(request.producerId())
                    .setProducerEpoch((short) (request.producerEpoch() + 1)));
        }
        return producerIds.get().map(id -> new InitProducerIdResponseData()
                .setProducerId(id).setProducerEpoch((short) 0));
    }
}
