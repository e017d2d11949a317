package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;
import dev.spindle.wal.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search of a segment with an unreadable header reads a candidate's marker from the file when it lies beyond its
 * buffer; charging that as 4 KiB of work made 40 MiB of random bytes (as a torn or unframed compressed block looks)
 * exhaust the search's budget before the genuine block after them: it now costs the 16 bytes it reads.
 */
class SearchBudgetTest
{
    @TempDir
    Path dir;

    @Test
    void randomBytesBeforeAGenuineBlockDoNotExhaustTheBudget() throws Exception
    {
        final Random random = new Random(11);
        final byte[] entries = entries();
        final byte[] sync = new byte[16];
        random.nextBytes(sync);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] noise = new byte[40 << 20];     // a header and a first block whose marker is damaged
        random.nextBytes(noise);
        out.write(noise);
        out.write(sync);
        final byte[] body = CompressedSearchTest.compressed(Codec.ZSTANDARD, entries);
        final byte[] blockHeader = new byte[SegmentFormat.MAX_BLOCK_HEADER];
        out.write(blockHeader, 0, SegmentFormat.encodeBlockHeader(1, body.length, blockHeader));
        out.write(body);
        out.write(sync);
        out.write(new byte[(64 << 20) - out.size()]);    // a preallocated 64 MiB segment
        final Path file = Files.write(dir.resolve("n.open"), out.toByteArray());
        try (SegmentReader reader = new SegmentReader(file))
        {
            assertTrue(SegmentSearch.holdsAnyEntry(reader, "c", 1));
            assertEquals(1, SegmentSearch.highestSequence(reader, "c", 1));
        }
    }

    private byte[] entries() throws Exception
    {
        final Path lane = dir.resolve("src");
        try (dev.spindle.wal.Wal wal = dev.spindle.wal.Wal.open(dev.spindle.wal.WalOptions.builder()
            .walUrls(lane.toString()).syncMode(SyncMode.PerBatch).build()))
        {
            final dev.spindle.wal.WalCollection c = wal.collection("c");
            c.awaitAcknowledged(c.append(new dev.spindle.wal.Entry().value(new byte[]{1, 2, 3})));
        }
        try (java.util.stream.Stream<Path> files = Files.list(lane.resolve("c")))
        {
            final Path sealed = files.filter(p -> p.toString().endsWith(".avro")).findFirst().orElseThrow();
            try (SegmentReader reader = new SegmentReader(sealed))
            {
                final SegmentReader.Header h = reader.readHeader("c");
                final SegmentReader.Block block = new SegmentReader.Block();
                reader.readBlock(h.length, reader.size(), 0, block);
                final java.nio.ByteBuffer e = reader.entriesOfLastBlock();
                final byte[] bytes = new byte[e.remaining()];
                e.get(bytes);
                return bytes;
            }
        }
    }
}
