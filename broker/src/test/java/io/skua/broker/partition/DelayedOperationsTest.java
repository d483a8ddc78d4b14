package io.skua.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.testing.Await;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The purgatory with its real timer thread: operations complete on the event that satisfies them or at their deadline,
 * exactly once, on their own executor; events on other keys leave them parked.
 */
class DelayedOperationsTest {
    private final DelayedOperations delayed = new DelayedOperations("test-delayed");
    /** Stands in for a connection's event loop: one thread, so each operation runs one step at a time. */
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final AtomicLong highWatermark = new AtomicLong();

    @AfterEach
    void close() throws InterruptedException {
        delayed.close();
        loop.shutdown();
        assertTrue(loop.awaitTermination(5, TimeUnit.SECONDS));
    }

    private Future<Boolean> awaitOnLoop(Object key, long timeoutMs, long offset) throws Exception {
        return loop.submit(() -> delayed.await(loop, List.of(key), timeoutMs, () -> highWatermark.get() >= offset)).get();
    }

    @Test
    void shouldCompleteAtOnceWhenTheConditionAlreadyHolds() throws Exception {
        highWatermark.set(10);
        Future<Boolean> done = awaitOnLoop("p0", 30_000, 10);
        assertTrue(done.isComplete());
        assertTrue(done.result());
        assertEquals(0, delayed.waiting());
    }

    @Test
    void shouldCompleteOnTheEventThatSatisfiesIt() throws Exception {
        // Given a request waiting for offset 5 on p0 with a long deadline
        Future<Boolean> done = awaitOnLoop("p0", 30_000, 5);
        assertFalse(done.isComplete());
        assertEquals(1, delayed.waiting());

        // When the high watermark moves, first not far enough, then far enough
        highWatermark.set(3);
        delayed.checkAndComplete("p0");
        loop.submit(() -> { }).get();
        assertFalse(done.isComplete());
        highWatermark.set(5);
        delayed.checkAndComplete("p0");

        // Then it completes, as satisfied, long before its deadline
        Await.until("completion", Duration.ofSeconds(5), done::isComplete);
        assertTrue(done.result());
    }

    @Test
    void shouldIgnoreEventsOnOtherKeys() throws Exception {
        Future<Boolean> done = awaitOnLoop("p0", 30_000, 1);
        highWatermark.set(1);
        delayed.checkAndComplete("p1");
        loop.submit(() -> { }).get();
        assertFalse(done.isComplete());
        delayed.checkAndComplete("p0");
        Await.until("completion", Duration.ofSeconds(5), done::isComplete);
        assertTrue(done.result());
    }

    @Test
    void shouldExpireAtTheDeadlineWhenNothingHappens() throws Exception {
        long start = System.nanoTime();
        Future<Boolean> done = awaitOnLoop("p0", 100, 1);
        Await.until("expiry", Duration.ofSeconds(5), done::isComplete);
        assertFalse(done.result());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100), "not before the deadline");
        assertEquals(0, delayed.waiting());
    }

    @Test
    void shouldExpireManyWaitersInDeadlineOrder() throws Exception {
        // Given waiters with deadlines 200, 150, ..., 50 ms added in that (reverse) order
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        for (int i = 4; i >= 1; i--) {
            int n = i;
            awaitOnLoop("p0", n * 50L, 1).onComplete(ar -> order.add(n));
        }
        // When nothing satisfies them, Then they expire earliest deadline first
        Await.until("all expired", Duration.ofSeconds(5), () -> order.size() == 4);
        assertEquals(List.of(1, 2, 3, 4), order);
    }

    @Test
    void shouldWakeEveryWaiterOfAKeyAndCompleteEachExactlyOnce() throws Exception {
        // Given 2,000 requests parked on one partition, each for its own offset
        AtomicInteger completions = new AtomicInteger();
        AtomicInteger satisfied = new AtomicInteger();
        for (int i = 1; i <= 2_000; i++) {
            awaitOnLoop("p0", 30_000, i).onComplete(ar -> {
                completions.incrementAndGet();
                if (ar.result()) {
                    satisfied.incrementAndGet();
                }
            });
        }
        assertEquals(2_000, delayed.waiting());

        // When the high watermark reaches 1,000, signalled many times over from several threads
        highWatermark.set(1_000);
        ExecutorService signallers = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 40; i++) {
            signallers.execute(() -> delayed.checkAndComplete("p0"));
        }
        signallers.shutdown();
        assertTrue(signallers.awaitTermination(5, TimeUnit.SECONDS));

        // Then exactly the first 1,000 complete, once each, and the others still wait
        Await.until("half completed", Duration.ofSeconds(5), () -> completions.get() == 1_000);
        loop.submit(() -> { }).get();
        assertEquals(1_000, completions.get());
        assertEquals(1_000, satisfied.get());
        assertEquals(1_000, delayed.waiting());

        // And a later event completes the rest; completed ones leave the watch list
        highWatermark.set(2_000);
        delayed.checkAndComplete("p0");
        Await.until("all completed", Duration.ofSeconds(5), () -> completions.get() == 2_000);
        delayed.checkAndComplete("p0");
        assertEquals(0, delayed.watchEntries());
    }

    @Test
    void shouldNotLoseAnEventRacingTheWatch() throws Exception {
        // Given events fired continuously while requests park, each condition made true just before its event
        for (int i = 1; i <= 200; i++) {
            long offset = i;
            Future<Boolean> done = loop.submit(() -> {
                Future<Boolean> f = delayed.await(loop, List.of("p0"), 30_000, () -> highWatermark.get() >= offset);
                return f;
            }).get();
            Thread signal = new Thread(() -> {
                highWatermark.set(offset);
                delayed.checkAndComplete("p0");
            });
            signal.start();
            signal.join();
            // Then every one completes on its event, none waits for the deadline
            Await.until("request " + i, Duration.ofSeconds(5), done::isComplete);
            assertTrue(done.result());
        }
    }

    @Test
    void shouldDropCompletedOperationsFromKeysThatHaveNoEvents() throws Exception {
        // Given many operations that completed by deadline on a key that never sees an event
        int n = DelayedOperations.PURGE_EVERY + 10;
        AtomicInteger expired = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            awaitOnLoop("quiet-" + (i % 3), 1, 1).onComplete(ar -> expired.incrementAndGet());
        }
        Await.until("all expired", Duration.ofSeconds(10), () -> expired.get() == n);
        // When another operation parks (the purge runs every PURGE_EVERY parkings)
        for (int i = 0; i < DelayedOperations.PURGE_EVERY; i++) {
            awaitOnLoop("other", 1, 1);
        }
        // Then the completed ones no longer hold watch entries (at most those parked since the purge)
        assertTrue(delayed.watchEntries() < DelayedOperations.PURGE_EVERY, "entries: " + delayed.watchEntries());
    }
}
