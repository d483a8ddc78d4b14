package io.skua.broker.group;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The {@link GroupLog} seam kept in memory, for unit tests only; the broker backs it with the partition log. */
final class InMemoryGroupLog implements GroupLog {
    private final Map<Integer, List<Record>> partitions = new ConcurrentHashMap<>();
    volatile boolean failAppends;
    /** When set, replay never completes (a partition stuck loading). */
    volatile Promise<Void> replayGate;

    @Override
    public synchronized Future<Void> append(int partition, List<Record> records) {
        if (failAppends) {
            return Future.failedFuture(new IllegalStateException("append failed (test)"));
        }
        partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> replay(int partition, Consumer<Record> sink) {
        List<Record> copy;
        synchronized (this) {
            copy = new ArrayList<>(partitions.getOrDefault(partition, List.of()));
        }
        Future<Void> gate = replayGate == null ? Future.succeededFuture() : replayGate.future();
        return gate.map(v -> {
            copy.forEach(sink);
            return null;
        });
    }

    synchronized List<Record> records(int partition) {
        return new ArrayList<>(partitions.getOrDefault(partition, List.of()));
    }
}
