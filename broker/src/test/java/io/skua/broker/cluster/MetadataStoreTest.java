package io.skua.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The store's stated outcomes of a cache call, without a cluster: a future that never completes, fails, or an event loop. */
class MetadataStoreTest {

    @Test
    void shouldFailWithRequestTimedOutWhenAWriteIsNotDoneInTime() {
        // Given a write that never completes (a write issued across a split was seen to hang like this)
        CompletableFuture<Boolean> hung = new CompletableFuture<>();

        // When the store waits for it until its deadline
        ApiException e = assertThrows(ApiException.class, () -> MetadataStore.awaitUntil(hung,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), "write"));

        // Then the call fails with REQUEST_TIMED_OUT, saying so
        assertEquals(Errors.REQUEST_TIMED_OUT, e.errorCode());
        assertEquals("cache write not done after " + MetadataStore.WRITE_TIMEOUT_MS + " ms", e.getMessage());
    }

    @Test
    void shouldPassACacheFailureThroughUnwrapped() {
        IllegalStateException degraded = new IllegalStateException("ISPN000306: DEGRADED");

        RuntimeException direct = assertThrows(RuntimeException.class, () -> MetadataStore.awaitUntil(
                CompletableFuture.failedFuture(degraded), System.nanoTime(), "write"));
        RuntimeException wrapped = assertThrows(RuntimeException.class, () -> MetadataStore.awaitUntil(
                CompletableFuture.failedFuture(new CompletionException(degraded)), System.nanoTime(), "write"));

        assertSame(degraded, direct);
        assertSame(degraded, wrapped);
    }

    @Test
    void shouldReturnTheResultOfACompletedWrite() {
        assertEquals(Boolean.TRUE, MetadataStore.awaitUntil(CompletableFuture.completedFuture(true), System.nanoTime(),
                "write"));
    }

    @Test
    void shouldRefuseToBlockAnEventLoopAndNotIssueTheWrite() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            AtomicBoolean issued = new AtomicBoolean();
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                try {
                    MetadataStore.await(() -> {
                        issued.set(true);
                        return CompletableFuture.completedFuture(null);
                    });
                    failure.complete(null);
                } catch (Throwable t) {
                    failure.complete(t);
                }
            });

            Throwable t = failure.get(10, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, t);
            assertTrue(t.getMessage().contains("event loop"), t.getMessage());
            assertEquals(false, issued.get());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
