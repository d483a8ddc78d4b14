package io.skua.broker.network;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseOrdererTest {
    private final List<String> written = new ArrayList<>();
    private final ResponseOrderer<String> orderer = new ResponseOrderer<>(written::add);

    @Test
    void shouldWriteInRequestOrderWhenCompletedOutOfOrder() {
        // Given three requests in flight
        var first = orderer.register();
        var second = orderer.register();
        var third = orderer.register();

        // When they complete in reverse order
        third.complete("r3");
        second.complete("r2");

        // Then nothing is written until the first completes
        assertTrue(written.isEmpty());
        assertEquals(3, orderer.pending());

        first.complete("r1");
        assertEquals(List.of("r1", "r2", "r3"), written);
        assertEquals(0, orderer.pending());
    }

    @Test
    void shouldWriteImmediatelyWhenTheHeadCompletes() {
        var first = orderer.register();
        var second = orderer.register();

        first.complete("r1");
        assertEquals(List.of("r1"), written);
        assertEquals(1, orderer.pending());

        second.complete("r2");
        assertEquals(List.of("r1", "r2"), written);
    }

    @Test
    void shouldSkipRequestsWithoutResponseAndReleaseThoseBehind() {
        // Given an acks=0 produce between two requests
        var first = orderer.register();
        var fireAndForget = orderer.register();
        var third = orderer.register();

        // When the later one completes first, then the no-response one, then the head
        third.complete("r3");
        fireAndForget.completeWithoutResponse();
        assertTrue(written.isEmpty());
        first.complete("r1");

        // Then the no-response request is skipped
        assertEquals(List.of("r1", "r3"), written);
        assertEquals(0, orderer.pending());
    }

    @Test
    void shouldNotBlockWhenTheHeadExpectsNoResponse() {
        var fireAndForget = orderer.register();
        var second = orderer.register();

        fireAndForget.completeWithoutResponse();
        second.complete("r2");

        assertEquals(List.of("r2"), written);
    }

    @Test
    void shouldCountPendingIncludingCompletedResponsesWaitingBehindTheHead() {
        var first = orderer.register();
        orderer.register().complete("r2");
        orderer.register().complete("r3");

        assertEquals(3, orderer.pending());
        first.complete("r1");
        assertEquals(0, orderer.pending());
    }

    @Test
    void shouldDropEverythingAfterClose() {
        var first = orderer.register();
        var second = orderer.register();

        orderer.close();
        second.complete("r2");
        first.complete("r1");
        orderer.register().complete("r3");

        assertTrue(written.isEmpty());
        assertEquals(0, orderer.pending());
    }

    @Test
    void shouldRejectCompletingTwice() {
        var slot = orderer.register();
        slot.complete("r1");
        assertThrows(IllegalStateException.class, () -> slot.complete("again"));
        assertThrows(IllegalStateException.class, slot::completeWithoutResponse);
    }

    @Test
    void shouldKeepOrderUnderRandomCompletion() {
        // Given 1000 requests completed in a shuffled order, every 7th without response
        int n = 1000;
        List<ResponseOrderer<String>.Slot> slots = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            slots.add(orderer.register());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new java.util.Random(42));

        // When
        for (int i : order) {
            if (i % 7 == 0) {
                slots.get(i).completeWithoutResponse();
            } else {
                slots.get(i).complete("r" + i);
            }
        }

        // Then
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % 7 != 0) {
                expected.add("r" + i);
            }
        }
        assertEquals(expected, written);
    }
}
