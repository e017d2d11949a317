package dev.spindle.wal.internal.segment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search for entries in a segment whose header does not parse ({@link SegmentSearch#holdsAnyEntry},
 * {@link SegmentSearch#highestSequence}), which recovery and verify run over a whole active segment: it finds
 * every entry of the collection wherever it lies, and takes time in proportion to the file, whatever the bytes.
 */
class SegmentSearchTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void shouldSearchBytesThatHoldNoEntryInTimeProportionalToTheirSize() throws IOException
    {
        // 4 MiB of random bytes took 56 s when the decoder ran at every offset (random varints claim long strings)
        final byte[] bytes = new byte[4 << 20];
        new Random(4).nextBytes(bytes);
        final Path file = dir.resolve(SegmentNames.open(1));
        Files.write(file, bytes);

        try (SegmentReader reader = new SegmentReader(file))
        {
            assertFalse(SegmentSearch.holdsAnyEntry(reader, SegmentFiles.COLLECTION, 1));
            assertEquals(-1, SegmentSearch.highestSequence(reader, SegmentFiles.COLLECTION, 1));
        }
    }

    @Test
    void shouldFindEveryEntryOfTheCollectionAmongRandomBytesWithoutAHeader() throws IOException
    {
        final SegmentFiles files = new SegmentFiles(dir, 1).block(3, 100).block(2, 5000).block(4, 7);
        final byte[] segment = Files.readAllBytes(files.segment.path());
        final byte[] bytes = new byte[segment.length + 12_345];
        new Random(5).nextBytes(bytes);
        System.arraycopy(segment, 0, bytes, 1_001, segment.length);
        for (int i = 0; i < 300; i++)
        {
            bytes[1_001 + i] = 0;                   // no header
        }
        final Path file = dir.resolve("damaged");
        Files.write(file, bytes);

        try (SegmentReader reader = new SegmentReader(file))
        {
            assertTrue(SegmentSearch.holdsAnyEntry(reader, SegmentFiles.COLLECTION, 1));
            assertEquals(9, SegmentSearch.highestSequence(reader, SegmentFiles.COLLECTION, 1));
            assertEquals(9, SegmentSearch.highestSequence(reader, SegmentFiles.COLLECTION, 9));
            assertEquals(-1, SegmentSearch.highestSequence(reader, SegmentFiles.COLLECTION, 10));
            assertFalse(SegmentSearch.holdsAnyEntry(reader, "other", 1));
            assertFalse(SegmentSearch.holdsAnyEntry(reader, "", 1));
        }
    }
}
