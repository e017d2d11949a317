package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;
import dev.spindle.wal.WalRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Searches inside a damaged or unfinished segment file, for recovery and the verifier: is there valid data
 * after a bad block (a torn tail has none; corruption does), does a file with an unreadable header hold any
 * entry, where does a sealed file's last block start, is a header page still all zeros. Reads only; the
 * caller's thread.
 */
public final class SegmentSearch
{
    private SegmentSearch()
    {
    }

    /**
     * After an invalid block, look for any whole valid block further on, to tell a torn tail (nothing
     * valid after the cut) from corruption (valid data after it): first where the invalid block says it
     * ends (its sync marker may be what is damaged), then after every later copy of the sync marker.
     *
     * @param invalid the invalid block (its {@code claimedEnd}), or null.
     * @return the offset of such a block, or -1.
     */
    public static long findValidBlockAfter(final SegmentReader reader, final SegmentReader.Block invalid, final long limit,
        final long previousSequence) throws IOException
    {
        if (invalid.claimedEnd > invalid.offset && invalid.claimedEnd < limit)
        {
            final SegmentReader.Block probe = new SegmentReader.Block();
            reader.readBlock(invalid.claimedEnd, limit, previousSequence, probe);
            if (probe.status == SegmentReader.Status.VALID)
            {
                return invalid.claimedEnd;
            }
        }
        return findValidBlockAfter(reader, invalid.offset + 1, limit, previousSequence);
    }

    /**
     * Whether any whole entry of {@code collection} with a sequence at or above {@code firstSequence}
     * and a matching CRC32C lies anywhere in the file, header or not. Used when a header does not
     * parse: a segment holding no entry at all was lost before its first fsync (which always covers
     * the header), one holding entries has a damaged header. Runs of zeros are skipped (no entry
     * starts with two zero bytes: the collection name is never empty).
     */
    public static boolean holdsAnyEntry(final SegmentReader reader, final String collection, final long firstSequence)
        throws IOException
    {
        try
        {
            return search(reader, collection, firstSequence, true) >= 0;
        }
        catch (final TooDamaged ex)
        {
            return true;        // cannot tell: taken to hold entries, so that it is reported, never deleted
        }
    }

    /**
     * The highest sequence of any whole entry of {@code collection} at or above {@code firstSequence} with a
     * matching CRC32C anywhere in the file (the same search as {@link #holdsAnyEntry}, to the end). Lenient
     * recovery uses it for a file it sets aside, so that no later entry takes a sequence the file holds.
     *
     * @return that sequence, or -1 when the file holds no such entry; when the file holds more that looks like blocks
     *     than a segment can (hostile bytes), the search stops rather than run for hours, with the highest found.
     */
    public static long highestSequence(final SegmentReader reader, final String collection, final long firstSequence)
        throws IOException
    {
        try
        {
            return search(reader, collection, firstSequence, false);
        }
        catch (final TooDamaged ex)
        {
            return ex.highest;      // the best it can tell; lenient recovery already accepts what damage took
        }
    }

    private static long search(final SegmentReader reader, final String collection, final long firstSequence,
        final boolean stopAtFirst) throws IOException
    {
        final long entries = searchEntries(reader, collection, firstSequence, stopAtFirst);
        if (stopAtFirst && entries >= 0)
        {
            return entries;
        }
        return Math.max(entries, searchBlocks(reader, collection, firstSequence, stopAtFirst));
    }

    /** Entries anywhere, whole blocks or not, as encoded (found in a segment without a codec). */
    private static long searchEntries(final SegmentReader reader, final String collection, final long firstSequence,
        final boolean stopAtFirst) throws IOException
    {
        final int chunk = 8 << 20;
        final int overlap = 256 << 10;
        final byte[] buf = new byte[(int)Math.min(reader.size(), chunk + overlap)];
        final EntryDecoder probe = new EntryDecoder();
        final byte[] name = collection.getBytes(StandardCharsets.UTF_8);
        long highest = -1;
        for (long base = 0; base < reader.size(); base += chunk)
        {
            final int n = reader.channel().readFully(ByteBuffer.wrap(buf, 0, (int)Math.min(buf.length, reader.size() - base)), base);
            for (int i = 0; i < Math.min(n, chunk); i++)
            {
                if (buf[i] == 0 && (i + 1 >= n || buf[i + 1] == 0) || !startsEntryOf(buf, i, n, name))
                {
                    continue;
                }
                probe.wrap(buf, i, n - i);
                try
                {
                    final WalRecord record = probe.next(buf);
                    if (record.collection().equals(collection) && record.sequence() >= firstSequence)
                    {
                        if (stopAtFirst)
                        {
                            return record.sequence();
                        }
                        highest = Math.max(highest, record.sequence());
                    }
                }
                catch (final EntryDecoder.MalformedEntry notHere)
                {
                    // not an entry at this offset
                }
            }
        }
        return highest;
    }

    /**
     * Whole blocks anywhere: the entries of a compressed segment can only be found by decompressing its blocks, and
     * with its header unreadable neither its codec nor its sync marker is known. A block is framed by its segment's
     * marker, 16 bytes before it (the header's or the last block's) and 16 after it, so every offset where a block
     * header parses and the 16 bytes before it recur right after the size it claims may be a block; it is
     * decompressed by each codec in turn. Once a block holding entries of the collection is found, only its marker
     * is looked for, and a block read whole is skipped over.
     *
     * <p>The work is bounded by the file: the decompressors take at most {@code 8 x file + 64 MiB} bytes in (each
     * block of a real segment is tried once, by at most four codecs, and skipped over once read) and give at most
     * {@code 64 x file + 1 GiB} out; bytes made to look like many blocks exhaust that, and the search then says so
     * rather than run for hours.
     *
     * @throws TooDamaged when the bound is reached, or a block framed by a marker says it holds more than any segment.
     */
    private static long searchBlocks(final SegmentReader reader, final String collection, final long firstSequence,
        final boolean stopAtFirst) throws IOException
    {
        final long size = reader.size();
        final int marker = SegmentFormat.SYNC_SIZE;
        final int chunk = 8 << 20;
        final int overlap = 2 << 20;
        final byte[] buf = new byte[(int)Math.min(size, marker + chunk + overlap)];
        final byte[] far = new byte[marker];
        long highest = -1;
        long next = marker;         // the first offset not inside a block read whole
        try (BlockProbe probe = new BlockProbe(collection, firstSequence, 8 * size + (64L << 20),
            64 * size + (1L << 30)))
        {
            for (long from = marker; from < size; from += chunk)
            {
                final long start = from - marker;       // the marker before the chunk's first offset is read too
                final int n = reader.channel().readFully(ByteBuffer.wrap(buf, 0, (int)Math.min(buf.length,
                    size - start)), start);
                final long stop = Math.min(start + n, from + chunk);
                for (long p = Math.max(from, next); p < stop; p++)
                {
                    final int i = (int)(p - start);
                    if (buf[i] == 0 || probe.known != null && !Arrays.equals(buf, i - marker, i, probe.known, 0, marker))
                    {
                        continue;       // a count of 0 or zeros; or not the marker of the collection's blocks
                    }
                    final long count = varint(buf, i, n);
                    if (count < 0 || zigzag(count) <= 0)
                    {
                        continue;
                    }
                    final int sizeAt = i + (int)(count >>> 56);
                    final long claimed = varint(buf, sizeAt, n);
                    if (claimed < 0)
                    {
                        continue;
                    }
                    final long body = start + sizeAt + (claimed >>> 56);
                    final long length = zigzag(claimed);
                    final long end = body + length;
                    if (length <= 0 || end + marker > size)
                    {
                        continue;
                    }
                    final byte[] after;
                    final int afterAt;
                    if (end + marker <= start + n)
                    {
                        after = buf;
                        afterAt = (int)(end - start);
                    }
                    else
                    {
                        probe.spend(marker);
                        reader.channel().readFully(ByteBuffer.wrap(far), end);
                        after = far;
                        afterAt = 0;
                    }
                    if (!Arrays.equals(after, afterAt, afterAt + marker, buf, i - marker, i) ||
                        Arrays.equals(buf, i - marker, i, ZERO_MARKER, 0, marker))
                    {
                        continue;       // not framed by one marker; or by zeros, which no segment's marker is
                    }
                    final long found;
                    if (end <= start + n)
                    {
                        found = probe.read(buf, (int)(body - start), (int)length, zigzag(count));
                    }
                    else
                    {
                        if (length > Integer.MAX_VALUE - 8)
                        {
                            continue;
                        }
                        probe.spend(length);
                        final byte[] block = new byte[(int)length];
                        reader.channel().readFully(ByteBuffer.wrap(block), body);
                        found = probe.read(block, 0, block.length, zigzag(count));
                    }
                    if (found == BlockProbe.NOT_A_BLOCK)
                    {
                        continue;
                    }
                    if (found >= 0 && probe.known == null)
                    {
                        probe.known = Arrays.copyOfRange(buf, i - marker, i);
                    }
                    if (found >= 0 && stopAtFirst)
                    {
                        return found;
                    }
                    highest = Math.max(highest, found);
                    probe.highest = highest;
                    next = end + marker;
                    p = next - 1;
                }
            }
            return highest;
        }
    }

    /** The search gave up: the file holds more that looks like blocks than a segment can. */
    static final class TooDamaged extends IOException
    {
        private static final long serialVersionUID = 1L;

        /** The highest sequence found before it gave up, or -1. */
        final long highest;

        TooDamaged(final String message, final long highest)
        {
            super(message);
            this.highest = highest;
        }
    }

    private static final byte[] ZERO_MARKER = new byte[SegmentFormat.SYNC_SIZE];

    /** Reads a candidate block with each codec, within the search's budget. */
    private static final class BlockProbe implements AutoCloseable
    {
        static final long NOT_A_BLOCK = -2;

        final String collection;
        final long firstSequence;
        final EntryDecoder decoder = new EntryDecoder();
        final List<BlockCodec> codecs = new ArrayList<>();
        /** Bytes the decompressors may still take in, and give out. */
        long budget;
        long outputBudget;
        /** The marker of the blocks that hold entries of the collection, once one is found. */
        byte[] known;
        /** The highest sequence found so far. */
        long highest = -1;

        BlockProbe(final String collection, final long firstSequence, final long budget, final long outputBudget)
        {
            this.collection = collection;
            this.firstSequence = firstSequence;
            this.budget = budget;
            this.outputBudget = outputBudget;
            for (final Codec codec : Codec.values())
            {
                // the header, which says how far a block may decompress, is lost: as far as any segment's
                codecs.add(BlockCodec.create(codec, 0, BlockCodec.readLimit(0)));     // null: the block as it is
            }
        }

        void spend(final long bytes) throws TooDamaged
        {
            budget -= bytes;
            if (budget < 0)
            {
                throw new TooDamaged("gave up searching: more of it looks like blocks than a segment holds", highest);
            }
        }

        void spendOutput(final long bytes) throws TooDamaged
        {
            outputBudget -= bytes;
            if (outputBudget < 0)
            {
                throw new TooDamaged("gave up searching: its blocks decompress to more than it could take to read",
                    highest);
            }
        }

        /**
         * @return the highest sequence at or above {@code firstSequence} among the {@code count} entries of the
         *     collection in the block body at {@code at}, -1 when it is a whole block without one, or
         *     {@link #NOT_A_BLOCK}.
         */
        long read(final byte[] buf, final int at, final int length, final long count) throws TooDamaged
        {
            for (int c = 0; c < codecs.size(); c++)
            {
                final BlockCodec codec = codecs.get(c);
                spend(length);
                byte[] entries = buf;
                int from = at;
                int size = length;
                if (codec != null)
                {
                    try
                    {
                        size = codec.decompress(buf, at, length);
                    }
                    catch (final BlockCodec.TooLarge ex)
                    {
                        // framed like a block, and more than any segment holds: crafted or damaged, it cannot be told
                        throw new TooDamaged("gave up searching: a block there says it holds more than any segment",
                            highest);
                    }
                    catch (final IOException | RuntimeException ex)
                    {
                        continue;
                    }
                    spendOutput(size);
                    entries = codec.entries();
                    from = 0;
                }
                final long found = entriesOf(entries, from, size, count);
                if (found != NOT_A_BLOCK)
                {
                    if (c > 0)
                    {
                        codecs.add(0, codecs.remove(c));      // the file's codec: tried first from now on
                    }
                    return found;
                }
            }
            return NOT_A_BLOCK;
        }

        private long entriesOf(final byte[] entries, final int from, final int size, final long count)
        {
            decoder.wrap(entries, from, size);
            long highest = -1;
            boolean ours = true;
            try
            {
                for (long i = 0; i < count; i++)
                {
                    final WalRecord record = decoder.next(entries);
                    ours &= record.collection().equals(collection);
                    if (ours && record.sequence() >= firstSequence)
                    {
                        highest = Math.max(highest, record.sequence());
                    }
                }
            }
            catch (final EntryDecoder.MalformedEntry notABlock)
            {
                return NOT_A_BLOCK;
            }
            return decoder.remaining() != 0 ? NOT_A_BLOCK : ours ? highest : -1;
        }

        @Override
        public void close()
        {
            for (final BlockCodec codec : codecs)
            {
                if (codec != null)
                {
                    codec.close();
                }
            }
        }
    }

    /**
     * @return the varint (raw, not zigzag-decoded) at {@code at} in its low 56 bits and its length in bytes in the
     *     high 8, or -1 when none ends before {@code limit}.
     */
    private static long varint(final byte[] buf, final int at, final int limit)
    {
        long raw = 0;
        for (int i = 0; i < 8; i++)
        {
            if (at + i >= limit)
            {
                return -1;
            }
            final int b = buf[at + i] & 0xff;
            raw |= (long)(b & 0x7f) << (7 * i);
            if (b < 0x80)
            {
                return (long)(i + 1) << 56 | raw;
            }
        }
        return -1;      // more than 56 bits: no block is that large
    }

    private static long zigzag(final long varint)
    {
        final long raw = varint & 0x00FF_FFFF_FFFF_FFFFL;
        return (raw >>> 1) ^ -(raw & 1);
    }

    /**
     * Whether an entry of the collection named {@code name} (UTF-8) may start at {@code at}: a string (the entry id)
     * that fits before {@code limit}, then {@code name} as a string. Every entry of the collection passes, and a
     * failing offset costs a few bytes read, where the decoder copies and decodes each string it meets before it
     * can tell: run at every offset of bytes that claim long strings, it did work in proportion to the file at
     * each offset (verifying or recovering an active segment of random bytes, so with an unreadable header, took
     * 17 s for 1 MiB and 56 s for 4 MiB, growing faster than the file; now 0.2 s for 4 MiB).
     */
    static boolean startsEntryOf(final byte[] buf, final int at, final int limit, final byte[] name)
    {
        final long id = string(buf, at, limit);
        if (id < 0)
        {
            return false;
        }
        final long collection = string(buf, (int)(id >>> 32) + (int)id, limit);
        if (collection < 0 || (int)collection != name.length)
        {
            return false;
        }
        final int from = (int)(collection >>> 32);
        return Arrays.equals(buf, from, from + name.length, name, 0, name.length);
    }

    /**
     * An Avro string (zigzag varint length, then the bytes) at {@code at}, read as Avro's decoder reads it.
     *
     * @return where its bytes start (high 32 bits) and their length (low 32 bits), or -1 when no string with a
     *     length from 0 to the bytes left before {@code limit} is there.
     */
    private static long string(final byte[] buf, final int at, final int limit)
    {
        long raw = 0;
        int i = at;
        for (int shift = 0; ; shift += 7)
        {
            if (i >= limit || shift > 63)
            {
                return -1;
            }
            final int b = buf[i++] & 0xff;
            raw |= (long)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                break;
            }
        }
        final long length = (raw >>> 1) ^ -(raw & 1);
        return length < 0 || length > limit - i ? -1 : (long)i << 32 | length;
    }

    /**
     * Search forward from {@code from} for the next whole valid block that follows a sync marker.
     *
     * @return the offset of such a block, or -1.
     */
    public static long findValidBlockAfter(final SegmentReader reader, final long from, final long limit,
        final long previousSequence) throws IOException
    {
        final byte[] sync = reader.header().sync;
        final int chunk = 1 << 20;
        final byte[] buf = new byte[chunk + SegmentFormat.SYNC_SIZE];
        final SegmentReader.Block probe = new SegmentReader.Block();
        long base = from;
        while (base < limit)
        {
            final int want = (int)Math.min(buf.length, limit - base);
            final int got = reader.channel().readFully(ByteBuffer.wrap(buf, 0, want), base);
            for (int i = 0; i + SegmentFormat.SYNC_SIZE <= got; i++)
            {
                if (buf[i] == sync[0] && SegmentReader.regionEquals(buf, i, sync))
                {
                    final long candidate = base + i + SegmentFormat.SYNC_SIZE;
                    reader.readBlock(candidate, limit, previousSequence, probe);
                    if (probe.status == SegmentReader.Status.VALID)
                    {
                        return candidate;
                    }
                }
            }
            if (got < want || got <= SegmentFormat.SYNC_SIZE)
            {
                break;
            }
            base += got - SegmentFormat.SYNC_SIZE + 1;
        }
        return -1;
    }

    /**
     * Find where the last block of a sealed segment starts, searching backwards for the sync marker
     * that ends the block (or header) before it.
     *
     * @return the offset of the last block, or -1 when the file holds no block.
     */
    public static long lastBlockOffset(final SegmentReader reader) throws IOException
    {
        final byte[] sync = reader.header().sync;
        final int syncSize = SegmentFormat.SYNC_SIZE;
        if (reader.size() <= reader.header().length)
        {
            return -1;
        }
        final int chunk = 256 * 1024;
        final byte[] buf = new byte[chunk + syncSize];
        final long low = reader.header().length - syncSize;     // the header's own marker
        long high = reader.size() - syncSize - 1;               // exclude the file's final marker
        while (high >= low)
        {
            final long start = Math.max(low, high - chunk + 1);
            final int length = (int)(high - start + 1) + syncSize - 1;
            final int got = reader.channel().readFully(ByteBuffer.wrap(buf, 0, length), start);
            for (int i = (int)(high - start); i >= 0; i--)
            {
                if (i + syncSize <= got && SegmentReader.regionEquals(buf, i, sync))
                {
                    return start + i + syncSize;
                }
            }
            high = start - 1;
        }
        return reader.header().length;
    }

    /**
     * @return true when the file is empty or its first page (where the header lives) is all zeros.
     */
    public static boolean headerIsZero(final Path file) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (buffer.hasRemaining() && channel.read(buffer) >= 0)
            {
                // fill the first page, or what there is
            }
        }
        catch (final NoSuchFileException ex)
        {
            return true;
        }
        for (int i = 0; i < buffer.position(); i++)
        {
            if (buffer.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
