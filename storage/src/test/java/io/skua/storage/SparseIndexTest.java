package io.skua.storage;

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
}
