package io.skua.storage.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseIndexTest {
    @TempDir
    Path dir;

    @Test
    void shouldFindTheFloorEntryByKeyAndByValue() throws Exception {
        try (SparseIndex index = SparseIndex.offsetIndex(dir.resolve("a.index"), true)) {
            for (int i = 1; i <= 100; i++) {
                index.append(i * 10L, i * 1000);
            }

            assertEquals(-1, index.floorByKey(9));
            assertEquals(0, index.floorByKey(10));
            assertEquals(0, index.floorByKey(19));
            assertEquals(49, index.floorByKey(500));
            assertEquals(99, index.floorByKey(Long.MAX_VALUE));
            assertEquals(-1, index.floorByValue(999));
            assertEquals(4, index.floorByValue(5_999));
            assertEquals(500, index.key(49));
            assertEquals(50_000, index.value(49));
        }
    }

    @Test
    void shouldTruncateByValueAndSurviveReopen() throws Exception {
        Path path = dir.resolve("b.timeindex");
        try (SparseIndex index = SparseIndex.timeIndex(path, true)) {
            for (int i = 0; i < 10; i++) {
                index.append(1_000_000_000_000L + i, i * 3);
            }
            index.truncateFromValue(14); // keeps values 0..12
            assertEquals(5, index.entries());
        }
        try (SparseIndex reopened = SparseIndex.timeIndex(path, false)) {
            assertEquals(5, reopened.entries());
            assertEquals(1_000_000_000_004L, reopened.key(4));
            assertTrue(reopened.isSane(13));
            assertFalse(reopened.isSane(12), "last value must be below the limit");
        }
    }

    @Test
    void shouldDropATornTrailingEntry() throws Exception {
        Path path = dir.resolve("c.index");
        try (SparseIndex index = SparseIndex.offsetIndex(path, true)) {
            index.append(1, 10);
            index.append(2, 20);
        }
        Files.write(path, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);

        try (SparseIndex reopened = SparseIndex.offsetIndex(path, false)) {
            assertEquals(2, reopened.entries());
            assertEquals(16, Files.size(path));
            assertEquals(1, reopened.floorByKey(5));
        }
    }

    @Test
    void shouldKeepNewEntriesInMemoryUntilEnoughCollectOrTheIndexIsFlushedOrClosed() throws Exception {
        Path path = dir.resolve("d.index");
        int n = SparseIndex.PENDING_ENTRIES;
        try (SparseIndex index = SparseIndex.offsetIndex(path, true)) {
            // Given fewer new entries than are kept in memory: readable, not in the file yet
            for (int i = 0; i < n - 1; i++) {
                index.append(i * 10L, i * 100);
            }
            assertEquals(n - 1, index.entries());
            assertEquals(0, Files.size(path));
            assertEquals(n - 2, index.floorByKey(Long.MAX_VALUE));
            assertEquals((n - 2) * 100, index.value(n - 2));
            // When one more fills the memory: all of them are written in one go
            index.append((n - 1) * 10L, (n - 1) * 100);
            assertEquals(8L * n, Files.size(path));
            // And entries after that are found across the file and memory alike
            index.append(n * 10L, n * 100);
            assertEquals(n, index.floorByKey(n * 10L + 5));
            assertEquals(n - 1, index.floorByValue(n * 100 - 1));
            // When it is flushed: the file holds everything
            index.flush();
            assertEquals(8L * (n + 1), Files.size(path));
            index.append((n + 1) * 10L, (n + 1) * 100);
        }
        // And a clean close writes what was in memory
        try (SparseIndex reopened = SparseIndex.offsetIndex(path, false)) {
            assertEquals(n + 2, reopened.entries());
            assertEquals((n + 1) * 10L, reopened.key(n + 1));
        }
    }

    @Test
    void shouldTruncateEntriesInMemoryAndInTheFile() throws Exception {
        Path path = dir.resolve("e.timeindex");
        int n = SparseIndex.PENDING_ENTRIES;
        try (SparseIndex index = SparseIndex.timeIndex(path, true)) {
            for (int i = 0; i < n + 10; i++) {
                index.append(1000L + i, i);
            }
            // Truncating inside the entries in memory leaves the file alone
            index.truncateToEntries(n + 5);
            assertEquals(12L * n, Files.size(path));
            index.append(5000, n + 5);
            assertEquals(5000, index.key(n + 5));
            assertEquals(n + 4, index.floorByKey(4999));
            // Truncating into the file drops the rest from both
            index.truncateToEntries(3);
            assertEquals(36, Files.size(path));
            assertEquals(3, index.entries());
            index.append(7000, 3);
            assertEquals(3, index.floorByKey(7000));
            assertEquals(1002, index.key(2));
        }
        try (SparseIndex reopened = SparseIndex.timeIndex(path, false)) {
            assertEquals(4, reopened.entries());
            assertEquals(7000, reopened.key(3));
        }
    }

    @Test
    void shouldLoseOnlyTheEntriesNotWrittenYetWhenTheProcessDies() throws Exception {
        // Given an index with entries in the file and in memory, never closed (the process died)
        Path path = dir.resolve("f.index");
        int n = SparseIndex.PENDING_ENTRIES;
        SparseIndex dying = SparseIndex.offsetIndex(path, true);
        for (int i = 0; i < n + 3; i++) {
            dying.append(i, i * 8);
        }
        // Then the file alone has the entries written, whole and ascending (recovery rebuilds the rest)
        try (SparseIndex reopened = SparseIndex.offsetIndex(path, false)) {
            assertEquals(n, reopened.entries());
            assertTrue(reopened.isSane(n * 8));
        }
    }
}
