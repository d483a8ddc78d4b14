package io.skua.broker.lifecycle;

import io.vertx.core.Future;

/**
 * A part of the broker that is started before the listeners open and stopped after they close
 * (storage, partition manager, group coordinator, ...). {@link SkuaBroker} starts components in order and stops
 * them in reverse.
 */
public interface Lifecycle {
    Future<Void> start();

    Future<Void> stop();
}
