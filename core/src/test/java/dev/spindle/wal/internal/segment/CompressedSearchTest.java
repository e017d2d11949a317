package dev.spindle.wal.internal.segment;

import com.github.luben.zstd.ZstdOutputStream;
import dev.spindle.wal.Codec;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compressed segments whose header is unreadable ({@link SegmentSearch}) and compressed blocks that decompress too far
 * ({@link BlockCodec}): what a review found. A strict open must never delete a compressed active segment that holds
 * acknowledged entries because its blocks were too large to be found, a small block must never make a reader allocate
 * what a segment cannot hold, and bytes made to look like many blocks must not make the search run for hours.
 */
class CompressedSearchTest
{
    @TempDir
    Path dir;

    /** A small zstd frame of {@code mib} MiB of zeros (content size not in the frame: the streaming path). */
    static byte[] zstdBomb(final int mib) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZstdOutputStream out = new ZstdOutputStream(bytes, 19))
        {
            final byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < mib; i++)
            {
                out.write(zeros);
            }
        }
        return bytes.toByteArray();
    }

    static Path segmentWithBlock(final Path file, final Codec codec, final long count, final byte[] body)
        throws IOException
    {
        final byte[] sync = new byte[SegmentFormat.SYNC_SIZE];
        new Random(1).nextBytes(sync);
        final byte[] header = SegmentFormat.header("c", 1, 1, 0, SyncMode.PerBatch, 0, codec, WalOptions.DEFAULT_DISK_SEGMENT_SIZE, sync);
        final byte[] blockHeader = new byte[SegmentFormat.MAX_BLOCK_HEADER];
        final int n = SegmentFormat.encodeBlockHeader(count, body.length, blockHeader);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header);
        out.write(blockHeader, 0, n);
        out.write(body);
        out.write(sync);
        Files.createDirectories(file.getParent());
        return Files.write(file, out.toByteArray());
    }

    @Test
    void aSmallBlockThatDecompressesPastItsSegmentIsReportedNotAllocated() throws IOException
    {
        final byte[] bomb = zstdBomb(300);          // 300 MiB of zeros in a few KiB, the size not in the frame
        assertTrue(bomb.length < 64 * 1024, "the block is small: " + bomb.length);
        final Path file = segmentWithBlock(dir.resolve("c").resolve(SegmentNames.open(1)), Codec.ZSTANDARD, 1, bomb);
        final List<WalRecord> records = new ArrayList<>();
        final WalReader.SegmentEnd end = WalReader.readSegment(file, records::add);
        assertEquals(List.of(), records);
        assertTrue(end.problem() != null && end.problem().contains("more than"), "the block is where the segment " +
            "ends, and why: " + end);
        try (BlockCodec zstd = BlockCodec.create(Codec.ZSTANDARD, 0))
        {
            final IOException ex = assertThrows(IOException.class, () -> zstd.decompress(bomb, 0, bomb.length));
            assertTrue(ex.getMessage().contains("more than"), ex.getMessage());
            assertTrue(zstd.entries().length <= WalOptions.DEFAULT_DISK_SEGMENT_SIZE, "a " + bomb.length +
                "-byte block made the reader allocate " + zstd.entries().length + " bytes");
        }
    }

    /**
     * Periodic bytes whose every 16th offset is a framed "block" of raw-deflate stored blocks, each claiming about a
     * MiB: tried one by one, the search took 4 s for 1 MiB and 9 s for 2 MiB, growing with the square of the file.
     * Its work is now bounded by the file: it gives up, takes the file to hold entries (so it is reported, never
     * deleted), and names the highest sequence it found before it gave up.
     */
    @Test
    void bytesMadeToLookLikeManyBlocksAreTakenToHoldEntriesNotSearchedForHours() throws IOException
    {
        for (final int mib : new int[]{1, 2})
        {
            final int fileSize = mib << 20;
            final int half = Math.min(fileSize / 2, (1 << 20) - 32);
            final int claimed = half - (half % 16) + 12;   // ≡ 12 mod 16: 4 + L + 16 ≡ 0 mod 16
            final long raw = 2L * claimed;                                       // zigzag of a positive long
            assertTrue(raw < 1 << 21);
            final byte[] unit = new byte[16];
            unit[0] = 0x02;                                         // count 1
            unit[1] = (byte)(0x80 | (raw & 0x7f));                  // size, 3-byte varint
            unit[2] = (byte)(0x80 | ((raw >>> 7) & 0x7f));
            unit[3] = (byte)((raw >>> 14) & 0x7f);
            unit[4] = 0x00;                                         // deflate: stored block, not final
            unit[5] = (byte)0xFB;                                   // LEN 65531 (≡ 11 mod 16: the next header lands
            unit[6] = (byte)0xFF;                                   // on unit[4] again)
            unit[7] = 0x04;                                         // NLEN
            unit[8] = 0x00;
            for (int i = 9; i < 16; i++)
            {
                unit[i] = 0x41;
            }
            final byte[] bytes = new byte[fileSize];
            for (int i = 0; i < fileSize; i++)
            {
                bytes[i] = unit[i & 15];
            }
            final Path file = Files.write(dir.resolve(mib + ".open"), bytes);
            try (SegmentReader reader = new SegmentReader(file))
            {
                assertTrue(SegmentSearch.holdsAnyEntry(reader, "c", 1), mib + " MiB: cannot tell, so it holds entries");
                assertEquals(-1, SegmentSearch.highestSequence(reader, "c", 1), "the best it can tell: none found");
            }
        }
    }

    /** The search reads the file 8 MiB at a time: a block starting on the boundary, or 16 bytes after it, is found. */
    @Test
    void aBlockStartingAtAChunkBoundaryIsFound() throws IOException
    {
        final byte[] entries = realEntries();
        for (final int delta : new int[]{16, 0})
        {
            final int at = (8 << 20) + delta;
            final byte[] sync = new byte[16];
            new Random(3).nextBytes(sync);
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[at - 16]);                  // an unreadable header, then zeros
            out.write(sync);
            final byte[] blockHeader = new byte[SegmentFormat.MAX_BLOCK_HEADER];
            final byte[] body = compressed(Codec.ZSTANDARD, entries);
            final int n = SegmentFormat.encodeBlockHeader(1, body.length, blockHeader);
            out.write(blockHeader, 0, n);
            out.write(body);
            out.write(sync);
            final Path file = Files.write(dir.resolve("edge" + delta + ".open"), out.toByteArray());
            try (SegmentReader reader = new SegmentReader(file))
            {
                final boolean found = SegmentSearch.holdsAnyEntry(reader, "c", 1);
                assertTrue(found, "the block at byte " + at + " (8 MiB + " + delta + ") is not found");
            }
        }
    }

    /** The encoded bytes of one real entry of collection "c", sequence 1. */
    private byte[] realEntries() throws IOException
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
                assertEquals(SegmentReader.Status.VALID, block.status);
                final java.nio.ByteBuffer e = reader.entriesOfLastBlock();
                final byte[] bytes = new byte[e.remaining()];
                e.get(bytes);
                return bytes;
            }
        }
    }

    static byte[] compressed(final Codec codec, final byte[] entries) throws IOException
    {
        try (BlockCodec compressor = BlockCodec.create(codec, 0))
        {
            return compressor.compress(java.nio.ByteBuffer.wrap(entries));
        }
    }

    /** Random and mutated blocks never hang, crash or overflow a decompressor: each is read or refused. */
    @Test
    void randomAndMutatedBlocksAreReadOrRefused() throws IOException
    {
        final Random random = new Random(7);
        for (final Codec codec : new Codec[]{Codec.ZSTANDARD, Codec.SNAPPY, Codec.DEFLATE})
        {
            try (BlockCodec blocks = BlockCodec.create(codec, 0))
            {
                final byte[] good = compressed(codec, new byte[50_000]);
                for (int i = 0; i < 5_000; i++)
                {
                    final byte[] input;
                    if (i % 2 == 0)
                    {
                        input = new byte[1 + random.nextInt(300)];
                        random.nextBytes(input);
                    }
                    else
                    {
                        input = good.clone();
                        for (int k = 0; k < 1 + random.nextInt(4); k++)
                        {
                            input[random.nextInt(input.length)] ^= (byte)(1 + random.nextInt(255));
                        }
                    }
                    try
                    {
                        blocks.decompress(input, 0, input.length);
                    }
                    catch (final IOException expected)
                    {
                        // fine
                    }
                }
                assertTrue(blocks.entries().length <= WalOptions.DEFAULT_DISK_SEGMENT_SIZE, codec + ": " +
                    blocks.entries().length);
            }
        }
    }

    /**
     * Compressed blocks of about 3 MiB, some starting late in an 8 MiB chunk (they used to be skipped when the chunk's
     * buffer did not hold them whole): {@code highestSequence}, which names the range of a file lenient recovery sets
     * aside, finds the last entry; a block larger than the buffer altogether is found too.
     */
    @Test
    void blocksLargerThanTheSearchBufferAreFound() throws IOException
    {
        final Path lane = dir.resolve("src4");
        final Random random = new Random(9);
        final int entries = 40;
        try (dev.spindle.wal.Wal wal = dev.spindle.wal.Wal.open(dev.spindle.wal.WalOptions.builder()
            .walUrls(lane.toString()).syncMode(SyncMode.PerBatch).diskSegmentSizeBytes(256L << 20).build()))
        {
            final dev.spindle.wal.WalCollection c = wal.collection("c");
            final dev.spindle.wal.Entry e = new dev.spindle.wal.Entry();
            for (int i = 0; i < entries; i++)
            {
                final byte[] value = new byte[1 << 20];
                random.nextBytes(value);
                for (int k = 0; k < value.length; k++)
                {
                    value[k] &= 0x3F;
                }
                c.awaitAcknowledged(c.append(e.clear().value(value)));
            }
        }
        final List<byte[]> encoded = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(lane.resolve("c")))
        {
            final Path sealed = files.filter(p -> p.toString().endsWith(".avro")).findFirst().orElseThrow();
            try (SegmentReader reader = new SegmentReader(sealed))
            {
                final SegmentReader.Header h = reader.readHeader("c");
                final SegmentReader.Block block = new SegmentReader.Block();
                long at = h.length;
                long previous = 0;
                while (true)
                {
                    reader.readBlock(at, reader.size(), previous, block);
                    if (block.status != SegmentReader.Status.VALID)
                    {
                        break;
                    }
                    final java.nio.ByteBuffer b = reader.entriesOfLastBlock();
                    final byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    encoded.add(bytes);
                    previous = block.entries.get(block.entries.size() - 1).sequence();
                    at = block.nextOffset;
                }
            }
        }
        assertEquals(entries, encoded.size(), "one block per entry in the source");
        // the same entries, 4 to a block (what memory_flush_size_bytes = 4 MiB makes), compressed, header unreadable
        final byte[] sync = new byte[16];
        random.nextBytes(sync);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[1500 + 4_400_000]);   // zeros where the header (unreadable) and older blocks were
        out.write(sync);
        final List<Long> starts = new ArrayList<>();
        for (int i = 0; i < entries; i += 4)
        {
            final ByteArrayOutputStream raw = new ByteArrayOutputStream();
            for (int k = i; k < i + 4; k++)
            {
                raw.write(encoded.get(k));
            }
            final byte[] body = compressed(Codec.ZSTANDARD, raw.toByteArray());
            final byte[] blockHeader = new byte[SegmentFormat.MAX_BLOCK_HEADER];
            final int n = SegmentFormat.encodeBlockHeader(4, body.length, blockHeader);
            starts.add((long)out.size());
            out.write(blockHeader, 0, n);
            out.write(body);
            out.write(sync);
        }
        final Path file = Files.write(dir.resolve("c4.open"), out.toByteArray());
        try (SegmentReader reader = new SegmentReader(file))
        {
            final long highest = SegmentSearch.highestSequence(reader, "c", 1);
            assertEquals(entries, highest);
        }
        // all 40 in one block of about 30 MiB, larger than the search's 10 MiB buffer
        final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        encoded.forEach(raw::writeBytes);
        final byte[] body = compressed(Codec.ZSTANDARD, raw.toByteArray());
        assertTrue(body.length > 10 << 20, "the block is larger than the buffer: " + body.length);
        final ByteArrayOutputStream one = new ByteArrayOutputStream();
        one.write(new byte[1 << 20]);
        one.write(sync);
        final byte[] blockHeader = new byte[SegmentFormat.MAX_BLOCK_HEADER];
        one.write(blockHeader, 0, SegmentFormat.encodeBlockHeader(entries, body.length, blockHeader));
        one.write(body);
        one.write(sync);
        final Path large = Files.write(dir.resolve("large.open"), one.toByteArray());
        try (SegmentReader reader = new SegmentReader(large))
        {
            assertTrue(SegmentSearch.holdsAnyEntry(reader, "c", 1), "a strict open must refuse it, not delete it");
            assertEquals(entries, SegmentSearch.highestSequence(reader, "c", 1));
        }
    }

    /**
     * The search reads a candidate's marker from the file when it lies beyond its buffer; charging that as 4 KiB of
     * work made 40 MiB of random bytes (as a torn or unframed compressed block looks) exhaust the search's budget
     * before the genuine block after them: it now costs the 16 bytes it reads.
     */
    @Test
    void randomBytesBeforeAGenuineBlockDoNotExhaustTheBudget() throws Exception
    {
        final Random random = new Random(11);
        final byte[] entries = realEntries();
        final byte[] sync = new byte[16];
        random.nextBytes(sync);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] noise = new byte[40 << 20];     // a header and a first block whose marker is damaged
        random.nextBytes(noise);
        out.write(noise);
        out.write(sync);
        final byte[] body = compressed(Codec.ZSTANDARD, entries);
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
}
