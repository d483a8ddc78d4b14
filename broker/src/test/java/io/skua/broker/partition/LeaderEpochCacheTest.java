package io.skua.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
    @TempDir
    Path dir;

    @Test
    void shouldAnswerEpochEndOffsetsAndSurviveReopen() throws Exception {
        // Given epochs 0 from 0, 2 from 10, 5 from 25
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(0, 0);
        cache.assign(2, 10);
        cache.assign(2, 12); // same epoch again: ignored
        cache.assign(1, 11); // older epoch: ignored
        cache.assign(5, 25);

        // Then each epoch ends where the next begins, the latest at the log end
        assertEquals(new LeaderEpochCache.EpochEnd(0, 10), cache.endOffsetFor(0, 40));
        assertEquals(new LeaderEpochCache.EpochEnd(0, 10), cache.endOffsetFor(1, 40));
        assertEquals(new LeaderEpochCache.EpochEnd(2, 25), cache.endOffsetFor(3, 40));
        assertEquals(new LeaderEpochCache.EpochEnd(5, 40), cache.endOffsetFor(5, 40));
        assertEquals(new LeaderEpochCache.EpochEnd(-1, -1), cache.endOffsetFor(6, 40));
        assertEquals(new LeaderEpochCache.EpochEnd(-1, -1), cache.endOffsetFor(-1, 40));
        assertTrue(Files.exists(dir.resolve(LeaderEpochCache.FILE)));

        // And a reopened cache holds the same history
        LeaderEpochCache again = LeaderEpochCache.load(dir);
        assertEquals(5, again.latestEpoch());
        assertEquals(new LeaderEpochCache.EpochEnd(2, 25), again.endOffsetFor(4, 40));

        // When the log is truncated to 20, epoch 5 is forgotten
        again.truncateFromEnd(20);
        assertEquals(2, again.latestEpoch());
        assertEquals(new LeaderEpochCache.EpochEnd(2, 20), again.endOffsetFor(2, 20));
        assertEquals(2, LeaderEpochCache.load(dir).latestEpoch());

        // And a new epoch starting below an older one's start replaces it
        again.assign(7, 5);
        assertEquals(new LeaderEpochCache.EpochEnd(0, 5), again.endOffsetFor(0, 9));
        assertEquals(new LeaderEpochCache.EpochEnd(0, 5), again.endOffsetFor(2, 9));
    }
}
