package io.skua.storage.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.AbortedTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code .txnindex} file on its own: format, torn writes, truncation, lookups. */
class TransactionIndexTest {
    @TempDir
    Path dir;

    static final AbortedTransaction A = new AbortedTransaction(1, 0, 10, 5);
    static final AbortedTransaction B = new AbortedTransaction(2, 5, 20, 21);

    @Test
    void shouldNotCreateAFileUntilTheFirstEntry() throws IOException {
        Path path = dir.resolve("00000000000000000000.txnindex");
        TransactionIndex index = new TransactionIndex(path, true);
        assertFalse(Files.exists(path));

        index.append(A);

        assertEquals(TransactionIndex.ENTRY_SIZE, Files.size(path));
        index.close();
    }

    @Test
    void shouldWriteKafkasLayoutAndDropATornEntryOnOpen() throws IOException {
        // Given two entries and a torn third
        Path path = dir.resolve("00000000000000000000.txnindex");
        TransactionIndex index = new TransactionIndex(path, true);
        index.append(A);
        index.append(B);
        index.close();
        byte[] bytes = Files.readAllBytes(path);
        assertEquals(0, bytes[0] << 8 | bytes[1], "version 0");
        assertEquals(2, bytes[TransactionIndex.ENTRY_SIZE + 9], "second producer id, big-endian");
        Files.write(path, new byte[10], StandardOpenOption.APPEND);

        // When it is opened again
        TransactionIndex reopened = new TransactionIndex(path, false);

        // Then the torn entry is gone from the list and the file
        assertEquals(List.of(A, B), reopened.entries());
        assertEquals(2L * TransactionIndex.ENTRY_SIZE, Files.size(path));
        reopened.close();
    }

    @Test
    void shouldTruncateEntriesWhoseMarkerIsRemoved() throws IOException {
        Path path = dir.resolve("00000000000000000000.txnindex");
        TransactionIndex index = new TransactionIndex(path, true);
        index.append(A);
        index.append(B);

        index.truncateTo(20);

        assertEquals(List.of(A), index.entries());
        assertEquals(TransactionIndex.ENTRY_SIZE, Files.size(path));
        index.close();
    }

    @Test
    void shouldCollectOverlappingEntriesAndSayWhenNoLaterOneCanOverlap() throws IOException {
        TransactionIndex index = new TransactionIndex(dir.resolve("00000000000000000000.txnindex"), true);
        index.append(A);
        index.append(B);
        List<AbortedTransaction> out = new ArrayList<>();

        assertTrue(index.collect(0, 5, out), "A's LSO 5 reaches the bound");
        assertEquals(List.of(A), out);

        out.clear();
        assertFalse(index.collect(11, 30, out));
        assertEquals(List.of(B), out);
        index.close();
    }
}
