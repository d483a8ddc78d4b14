package io.skua.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.partition.TimingWheel.Bucket;
import io.skua.broker.partition.TimingWheel.TimerTask;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** The wheel on an explicit clock: what fires when, cascading from overflow wheels, cancellation. */
class TimingWheelTest {
    private long now = 1_000;
    private final PriorityQueue<Bucket> queue = new PriorityQueue<>();
    private final TimingWheel wheel = new TimingWheel(1, 8, now, queue::offer, () -> now);
    private final List<String> fired = new ArrayList<>();

    private TimerTask task(long deadline, String name) {
        TimerTask t = new TimerTask(deadline, () -> fired.add(name));
        if (!wheel.add(t)) {
            t.action.run();
        }
        return t;
    }

    /** Advances the clock to {@code time}, flushing every bucket due by then as the timer thread does. */
    private void advanceTo(long time) {
        now = time;
        while (!queue.isEmpty() && queue.peek().expiration() <= time) {
            Bucket b = queue.poll();
            wheel.advanceClock(b.expiration());
            b.flush(t -> {
                if (!wheel.add(t) && !t.cancelled()) {
                    t.action.run();
                }
            });
        }
        wheel.advanceClock(time);
    }

    @Test
    void shouldFireEachTaskAtItsDeadlineAndNotBefore() {
        // Given tasks inside the first wheel, in the first overflow wheel (span 8) and two levels up (span 64)
        task(1_003, "a");
        task(1_020, "b");
        task(1_150, "c");
        task(1_007, "d");

        // When the clock moves just before each deadline, then onto it
        advanceTo(1_002);
        assertEquals(List.of(), fired);
        advanceTo(1_003);
        assertEquals(List.of("a"), fired);
        advanceTo(1_019);
        assertEquals(List.of("a", "d"), fired);
        advanceTo(1_020);
        assertEquals(List.of("a", "d", "b"), fired);
        advanceTo(1_149);
        assertEquals(List.of("a", "d", "b"), fired);
        advanceTo(1_150);

        // Then each fired once, in deadline order
        assertEquals(List.of("a", "d", "b", "c"), fired);
    }

    @Test
    void shouldRunATaskThatIsAlreadyDueAtOnce() {
        task(999, "past");
        task(1_000, "now");
        assertEquals(List.of("past", "now"), fired);
    }

    @Test
    void shouldNeverFireACancelledTaskAndDropItFromItsBucket() {
        // Given two tasks in the same bucket
        TimerTask gone = task(1_005, "gone");
        task(1_005, "kept");
        Bucket bucket = queue.peek();
        assertEquals(2, bucket.size());

        // When one is cancelled
        gone.cancel();

        // Then it leaves the bucket at once and only the other fires
        assertEquals(1, bucket.size());
        advanceTo(1_010);
        assertEquals(List.of("kept"), fired);
        assertTrue(gone.cancelled());
    }

    @Test
    void shouldCancelATaskWaitingInAnOverflowWheel() {
        TimerTask far = task(1_500, "far");
        far.cancel();
        advanceTo(2_000);
        assertEquals(List.of(), fired);
        assertFalse(queue.stream().anyMatch(b -> b.size() > 0));
    }

    @Test
    void shouldKeepManyTasksInOrderOfTheirTicks() {
        // Given 1,000 tasks with deadlines spread over 500 ms, added in reverse order
        for (int i = 999; i >= 0; i--) {
            task(1_001 + i / 2, Integer.toString(i / 2));
        }
        // When the clock passes them all
        for (long t = 1_001; t <= 1_500; t++) {
            advanceTo(t);
            // Then every task due by t has fired and none due later
            assertEquals((t - 1_000) * 2, fired.size());
        }
        for (int i = 1; i < fired.size(); i++) {
            assertTrue(Integer.parseInt(fired.get(i - 1)) <= Integer.parseInt(fired.get(i)));
        }
    }
}
