package dev.spindle.wal;

import dev.spindle.fs.Directories;
import dev.spindle.wal.internal.segment.BlockCodec;
import dev.spindle.wal.internal.segment.CheckpointFile;

import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test support for the crash and corruption tests: writes small logs, takes "crash images" of lanes
 * while the WAL is still open (so {@code .open} segments are captured as a kill -9 would leave them),
 * parses segments into blocks and damages bytes.
 */
final class SegmentSurgery
{
    static final String COLLECTION = "c";

    private SegmentSurgery()
    {
    }

    /**
     * One whole valid block of a segment: [offset, end) in the file; {@code entryBytes} are its encoded entries
     * (decompressed, for a segment with a codec).
     */
    record Block(long offset, long bodyOffset, long end, List<WalRecord> entries, int[] entryLengths, byte[] entryBytes)
    {
        long firstSequence()
        {
            return entries.get(0).sequence();
        }

        long lastSequence()
        {
            return entries.get(entries.size() - 1).sequence();
        }

        /** @return file offset where entry {@code i} of this block starts (in a segment without a codec). */
        long entryOffset(final int i)
        {
            long at = bodyOffset;
            for (int k = 0; k < i; k++)
            {
                at += entryLengths[k];
            }
            return at;
        }
    }

    /** A segment's bytes as read, with its header length and whole valid blocks (read from the start). */
    record Segment(String name, byte[] bytes, int headerLength, byte[] sync, List<Block> blocks, Codec codec)
    {
        /** @return the offset after the last whole block's sync marker (preallocated zeros may follow). */
        long writtenEnd()
        {
            return blocks.isEmpty() ? headerLength : blocks.get(blocks.size() - 1).end();
        }

        Block lastBlock()
        {
            return blocks.get(blocks.size() - 1);
        }

        List<WalRecord> entries()
        {
            final List<WalRecord> all = new ArrayList<>();
            blocks.forEach(b -> all.addAll(b.entries()));
            return all;
        }

        /** @return the entries of the blocks that end at or before {@code offset}. */
        List<WalRecord> entriesOfBlocksEndingBy(final long offset)
        {
            final List<WalRecord> kept = new ArrayList<>();
            for (final Block b : blocks)
            {
                if (b.end() <= offset)
                {
                    kept.addAll(b.entries());
                }
            }
            return kept;
        }
    }

    /** Every codec in both io_modes, for {@code @MethodSource}: compressed segments go through the same tests. */
    static Stream<Arguments> everyCodecInBothIoModes()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final Codec codec : Codec.values())
        {
            for (final IoMode ioMode : IoMode.values())
            {
                cases.add(Arguments.of(codec, ioMode));
            }
        }
        return cases.stream();
    }

    /**
     * Options for tests: small segments, given sync and io mode.
     */
    static WalOptions.Builder options(final SyncMode syncMode, final IoMode ioMode, final Path... lanes)
    {
        final List<String> urls = new ArrayList<>();
        for (final Path lane : lanes)
        {
            urls.add(lane.toString());
        }
        return WalOptions.builder()
            .walUrls(urls)
            .syncMode(syncMode)
            .ioMode(ioMode)
            .diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE)
            .preallocateChunkBytes(WalOptions.MIN_SEGMENT_SIZE)
            .segmentMaxAgeMs(0);
    }

    /** The entry appended as sequence {@code i} (a pure function of {@code i}). */
    static Entry entry(final Entry reuse, final long i)
    {
        return reuse.clear()
            .op(i % 3 == 0 ? Op.UPDATE : Op.INSERT)
            .key(("k" + i).getBytes(StandardCharsets.UTF_8))
            .value(("v" + i + "-" + "x".repeat((int)(i % 7))).getBytes(StandardCharsets.UTF_8))
            .vector(new float[]{i, -i})
            .version(i);
    }

    /**
     * Append {@code count} entries to {@code collection}, then wait until they are acknowledged, so
     * that (with {@code PerBatch}) they are on disk as whole blocks, separate from the blocks of
     * earlier and later calls.
     *
     * @return the last sequence.
     */
    static long appendBatch(final WalCollection collection, final int count)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 0; i < count; i++)
        {
            last = collection.append(entry(e, collection.lastSequence() + 1));
        }
        collection.awaitAcknowledged(last);
        return last;
    }

    /**
     * Open a one-lane {@code PerBatch} WAL on {@code live}, append one acknowledged batch of each size
     * given (each batch is then one or more whole blocks of its own), copy the lane to {@code image}
     * while the WAL is still open — the disk a kill -9 would leave — and close it.
     *
     * @return the active segment of the image.
     */
    static Path crashImage(final Path live, final Path image, final IoMode ioMode, final int... batches)
    {
        return crashImage(live, image, ioMode, Codec.NULL, batches);
    }

    /** {@link #crashImage(Path, Path, IoMode, int...)} with segments compressed by {@code codec}. */
    static Path crashImage(final Path live, final Path image, final IoMode ioMode, final Codec codec,
        final int... batches)
    {
        try (Wal wal = Wal.open(options(SyncMode.PerBatch, ioMode, live).codec(codec).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            for (final int batch : batches)
            {
                appendBatch(c, batch);
            }
            copyTree(live, image);
        }
        return onlyFile(image.resolve(COLLECTION), SegmentNames.OPEN_SUFFIX);
    }

    /**
     * Like {@link #crashImage} but closes the WAL normally.
     *
     * @return the sealed segment.
     */
    static Path sealedSegment(final Path lane, final IoMode ioMode, final int... batches)
    {
        return sealedSegment(lane, ioMode, Codec.NULL, batches);
    }

    /** {@link #sealedSegment(Path, IoMode, int...)} with segments compressed by {@code codec}. */
    static Path sealedSegment(final Path lane, final IoMode ioMode, final Codec codec, final int... batches)
    {
        try (Wal wal = Wal.open(options(SyncMode.PerBatch, ioMode, lane).codec(codec).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            for (final int batch : batches)
            {
                appendBatch(c, batch);
            }
        }
        return onlyFile(lane.resolve(COLLECTION), SegmentNames.SEALED_SUFFIX);
    }

    /**
     * @return the body of a block of {@code entries} (encoded entries, back to back) in a segment of {@code codec}:
     *     the entries compressed as Spindle's writer compresses them.
     */
    static byte[] blockBody(final Codec codec, final byte[] entries)
    {
        try (BlockCodec compressor = BlockCodec.create(codec, 0))
        {
            return compressor == null ? entries.clone() : compressor.compress(ByteBuffer.wrap(entries));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return a copy of {@code bytes} with the byte at {@code at} XORed with {@code mask} (not 0). */
    static byte[] flip(final byte[] bytes, final long at, final int mask)
    {
        final byte[] copy = bytes.clone();
        copy[(int)at] ^= (byte)mask;
        return copy;
    }

    /** @return a copy of {@code bytes} with {@code patch} written at {@code at}. */
    static byte[] overwrite(final byte[] bytes, final long at, final byte[] patch)
    {
        final byte[] copy = bytes.clone();
        System.arraycopy(patch, 0, copy, (int)at, patch.length);
        return copy;
    }

    /**
     * Copy a directory tree (every file but {@code .lock}) as it is now: taken while a WAL is open,
     * this is the disk a kill -9 would leave behind (every acknowledged block included).
     */
    static void copyTree(final Path from, final Path to)
    {
        try (Stream<Path> walk = Files.walk(from))
        {
            for (final Path source : (Iterable<Path>)walk::iterator)
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else if (!source.getFileName().toString().equals(".lock"))
                {
                    Files.write(target, Files.readAllBytes(source));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteTree(final Path root)
    {
        try
        {
            Directories.deleteTree(root);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the one file of {@code dir} whose name ends with {@code suffix}.
     */
    static Path onlyFile(final Path dir, final String suffix)
    {
        final List<String> names = names(dir);
        final List<String> matching = names.stream().filter(n -> n.endsWith(suffix)).toList();
        assertEquals(1, matching.size(), "expected one *" + suffix + " in " + dir + ", found " + names);
        return dir.resolve(matching.get(0));
    }

    /** @return the names of the files of {@code dir}, sorted (none when it does not exist). */
    static List<String> names(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir))
        {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return every regular file under {@code root} (relative path to size and CRC of its bytes). */
    static Map<String, String> snapshot(final Path root)
    {
        final Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)walk::iterator)
            {
                final String key = root.relativize(p).toString();
                if (Files.isDirectory(p))
                {
                    files.put(key + "/", "dir");
                }
                else
                {
                    final byte[] bytes = Files.readAllBytes(p);
                    files.put(key, bytes.length + " bytes, hash " + Arrays.hashCode(bytes));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    /**
     * Parse {@code file}: header, then whole valid blocks from the start until the first block that
     * is not (no assertion about what follows).
     */
    static Segment parse(final Path file)
    {
        try (SegmentReader reader = new SegmentReader(file))
        {
            final SegmentReader.Header header = reader.readHeader(null);
            final List<Block> blocks = new ArrayList<>();
            final SegmentReader.Block block = new SegmentReader.Block();
            long offset = header.length;
            long previous = header.firstSequence - 1;
            while (true)
            {
                reader.readBlock(offset, reader.size(), previous, block);
                if (block.status != SegmentReader.Status.VALID)
                {
                    break;
                }
                final ByteBuffer entries = reader.entriesOfLastBlock();
                final byte[] entryBytes = new byte[entries.remaining()];
                entries.get(entryBytes);
                blocks.add(new Block(block.offset, block.bodyOffset, block.nextOffset, List.copyOf(block.entries),
                    Arrays.copyOf(block.entryLengths, block.entries.size()), entryBytes));
                previous = block.entries.get(block.entries.size() - 1).sequence();
                offset = block.nextOffset;
            }
            return new Segment(file.getFileName().toString(), Files.readAllBytes(file), header.length,
                header.sync.clone(), List.copyOf(blocks), header.codec);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static List<WalRecord> drain(final WalReplay replay)
    {
        final List<WalRecord> records = new ArrayList<>();
        try (replay)
        {
            replay.forEachRemaining(records::add);
        }
        return records;
    }

    static List<WalRecord> replayAll(final Wal wal)
    {
        return drain(wal.replay(COLLECTION, 1));
    }

    static void assertSameRecord(final WalRecord expected, final WalRecord actual)
    {
        final String what = "entry #" + expected.sequence();
        assertEquals(expected.sequence(), actual.sequence(), what);
        assertEquals(expected.entryId(), actual.entryId(), what);
        assertEquals(expected.collection(), actual.collection(), what);
        assertEquals(expected.globalSequence(), actual.globalSequence(), what);
        assertEquals(expected.timestampMicros(), actual.timestampMicros(), what);
        assertEquals(expected.op(), actual.op(), what);
        assertArrayEquals(expected.key(), actual.key(), what);
        assertArrayEquals(expected.value(), actual.value(), what);
        assertArrayEquals(expected.vector(), actual.vector(), what);
        assertEquals(expected.metadata(), actual.metadata(), what);
        assertEquals(expected.expiresAtMicros(), actual.expiresAtMicros(), what);
        assertEquals(expected.version(), actual.version(), what);
        assertEquals(expected.crc32c(), actual.crc32c(), what);
    }

    static void assertSameRecords(final List<WalRecord> expected, final List<WalRecord> actual, final String context)
    {
        assertEquals(sequences(expected), sequences(actual), context);
        for (int i = 0; i < expected.size(); i++)
        {
            assertSameRecord(expected.get(i), actual.get(i));
        }
    }

    static List<Long> sequences(final List<WalRecord> records)
    {
        return records.stream().map(WalRecord::sequence).toList();
    }

    /**
     * Every segment of {@code collectionDir} is sealed, and its name matches what it holds: first and
     * last sequence of its entries, all of its bytes whole valid blocks.
     *
     * @return the entries of all its segments, in name order.
     */
    static List<WalRecord> assertOnlySealedSegmentsMatchingTheirNames(final Path collectionDir)
    {
        final List<WalRecord> all = new ArrayList<>();
        for (final String name : names(collectionDir))
        {
            if (name.equals(CheckpointFile.NAME))
            {
                continue;
            }
            final long[] range = SegmentNames.parseSealed(name);
            assertNotNull(range, collectionDir + " holds " + name + ", which is not a sealed segment: " +
                names(collectionDir));
            final Segment segment = parse(collectionDir.resolve(name));
            assertTrue(!segment.blocks().isEmpty(), name + " holds no block");
            assertEquals(segment.bytes().length, segment.writtenEnd(), name + " does not end with its last whole block");
            final List<WalRecord> entries = segment.entries();
            assertEquals(range[0], entries.get(0).sequence(), name + ": first entry");
            assertEquals(range[1], entries.get(entries.size() - 1).sequence(), name + ": last entry");
            all.addAll(entries);
        }
        return all;
    }

    /** Write {@code bytes} to {@code file}, creating the directories above it. */
    static Path write(final Path file, final byte[] bytes)
    {
        try
        {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] read(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static boolean sameFile(final Path a, final Path b)
    {
        try
        {
            return Files.isSameFile(a, b);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
