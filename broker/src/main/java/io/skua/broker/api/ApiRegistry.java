package io.skua.broker.api;

import io.skua.protocol.ApiKey;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** API key -> handler. ApiVersions is computed from what is registered, so nothing unserved is advertised. */
public final class ApiRegistry {
    private final Map<ApiKey, ApiHandler<?, ?>> handlers = new EnumMap<>(ApiKey.class);

    public ApiRegistry register(ApiHandler<?, ?> handler) {
        if (handlers.putIfAbsent(handler.apiKey(), handler) != null) {
            throw new IllegalStateException("Two handlers for " + handler.apiKey());
        }
        return this;
    }

    /** The handler for {@code key}, or null when the API is not served. */
    public ApiHandler<?, ?> handler(ApiKey key) {
        return handlers.get(key);
    }

    public Collection<ApiHandler<?, ?>> handlers() {
        return Collections.unmodifiableCollection(handlers.values());
    }
}
