package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalRecord;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a segment file block by block with positional reads (never a mapping, so a file truncated
 * under the reader gives an error, not a SIGBUS). Every length read from the file is checked against
 * the bytes that are really there before anything is allocated for it, and a compressed block decompresses no
 * further than a segment can hold ({@link BlockCodec}). Shared by recovery, replay, {@code verify} and {@code dump}.
 */
public final class SegmentReader implements Closeable
{
    private static final long SCHEMA_FINGERPRINT = SchemaNormalization.parsingFingerprint64(SegmentFormat.SCHEMA);

    /** A parsed segment header. */
    public static final class Header
    {
        public final int length;
        public final byte[] sync;
        public final Map<String, String> metadata;
        public final String collection;
        public final long firstSequence;
        /** The sync mode of the writer, or null when the header does not say. */
        public final SyncMode syncMode;
        /** The block codec ({@code avro.codec}). */
        public final Codec codec;
        /** The writer's segment size ({@code spindle.segment_size}); 0 when the header does not say. */
        public final long segmentSize;

        Header(final int length, final byte[] sync, final Map<String, String> metadata, final String collection,
            final long firstSequence, final SyncMode syncMode, final Codec codec, final long segmentSize)
        {
            this.codec = codec;
            this.segmentSize = segmentSize;
            this.length = length;
            this.sync = sync;
            this.metadata = metadata;
            this.collection = collection;
            this.firstSequence = firstSequence;
            this.syncMode = syncMode;
        }

        /**
         * @return the writer epoch of the remote lane's fence that wrote the segment: 0 when the header does not
         *     say (a local lane, or a segment from before fencing), -1 when it says something that is not one.
         */
        public long epoch()
        {
            final String value = metadata.get(SegmentFormat.META_EPOCH);
            if (value == null)
            {
                return 0;
            }
            try
            {
                final long epoch = Long.parseLong(value);
                return epoch > 0 ? epoch : -1;
            }
            catch (final NumberFormatException ex)
            {
                return -1;
            }
        }
    }

    /** What reading one block found. */
    public enum Status
    {
        /** A whole, valid block. */
        VALID,
        /** The read position is the limit, or the bytes there are zeros (preallocated, never written). */
        END,
        /** Something that is not a whole valid block: a torn tail, old bytes of a recycled file, or corruption. */
        INVALID
    }

    /** One block read; reused by the reader for the next block. */
    public static final class Block
    {
        public Status status;
        public long offset;
        public long nextOffset;
        public String problem;
        /** Offset of the problem in the file (INVALID only). */
        public long problemOffset;
        /** File offset of the first entry (after the block header). */
        public long bodyOffset;
        /** For an INVALID block whose header parsed and fits: where it says it ends; else -1. */
        public long claimedEnd = -1;
        public final List<WalRecord> entries = new ArrayList<>();
        /** Encoded length of each entry, in order. */
        public int[] entryLengths = new int[16];
    }

    private final Path path;
    private final SegmentChannel channel;
    private final long size;
    private final EntryDecoder decoder = new EntryDecoder();
    private final byte[] small = new byte[SegmentFormat.MAX_BLOCK_HEADER];
    private byte[] body = new byte[64 * 1024];
    private BinaryDecoder varints;
    private Header header;
    /** Decompresses the blocks of a segment whose header names a codec; null until one does. */
    private BlockCodec codec;
    /** The encoded entries of the last block read: {@link #body}, or what {@link #codec} decompressed. */
    private byte[] entries;
    private int entriesLength;

    public SegmentReader(final Path path) throws IOException
    {
        this(path, SegmentChannel.of(FileChannel.open(path, StandardOpenOption.READ)));
    }

    /**
     * @param path the name to give in messages.
     * @param channel the bytes; closed by {@link #close()}.
     */
    public SegmentReader(final Path path, final SegmentChannel channel) throws IOException
    {
        this.path = path;
        this.channel = channel;
        this.size = channel.size();
    }

    /** @return the channel the reader reads (for {@link SegmentSearch}). */
    SegmentChannel channel()
    {
        return channel;
    }

    public Path path()
    {
        return path;
    }

    /**
     * @return the file's size when it was opened.
     */
    public long size()
    {
        return size;
    }

    public Header header()
    {
        return header;
    }

    /**
     * Read and check the header: magic, schema, codec, the spindle.* keys.
     *
     * @param expectedCollection the collection the file's directory names, or null not to check.
     * @return the header.
     * @throws CorruptSegmentException naming what is wrong.
     */
    public Header readHeader(final String expectedCollection) throws IOException
    {
        final int want = (int)Math.min(size, SegmentFormat.MAX_HEADER_SIZE);
        final byte[] bytes = new byte[want];
        final int got = channel.readFully(ByteBuffer.wrap(bytes), 0);
        if (got < SegmentFormat.MAGIC.length + 1 + SegmentFormat.SYNC_SIZE)
        {
            throw corrupt(0, "file of " + size + " bytes is too short for a segment header");
        }
        if (!Arrays.equals(Arrays.copyOf(bytes, 4), SegmentFormat.MAGIC))
        {
            throw corrupt(0, "not an Avro object container file (bad magic)");
        }
        final BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, 4, got - 4, null);
        final Map<String, String> meta = new HashMap<>();
        try
        {
            for (long n = d.readMapStart(); n != 0; n = d.mapNext())
            {
                if (n < 0 || n > 1024)
                {
                    throw corrupt(4, "header metadata claims " + n + " entries");
                }
                for (long i = 0; i < n; i++)
                {
                    final String key = new String(readBounded(d, got), StandardCharsets.UTF_8);
                    meta.put(key, new String(readBounded(d, got), StandardCharsets.UTF_8));
                }
            }
            final byte[] sync = new byte[SegmentFormat.SYNC_SIZE];
            d.readFixed(sync);
            final int length = got - d.inputStream().available();
            header = checkHeader(meta, sync, length, expectedCollection);
            if (codec != null)
            {
                codec.close();
            }
            codec = BlockCodec.create(header.codec, 0, BlockCodec.readLimit(header.segmentSize));
            return header;
        }
        catch (final CorruptSegmentException ex)
        {
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw corrupt(4, "header is truncated or malformed (" + ex.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Read the header whatever collection it names: a header that is whole and valid but wrong for its file
     * (another collection's, another first sequence) is damage, where one that does not parse may be torn.
     *
     * @return the header, or null when it does not parse.
     */
    public Header readWholeHeader() throws IOException
    {
        try
        {
            return readHeader(null);
        }
        catch (final CorruptSegmentException ex)
        {
            return null;
        }
    }

    private byte[] readBounded(final BinaryDecoder d, final int limit) throws IOException
    {
        final long length = d.readLong();
        if (length < 0 || length > d.inputStream().available())
        {
            throw corrupt(4, "header string of " + length + " bytes runs past the header (" + limit + " bytes read)");
        }
        final byte[] bytes = new byte[(int)length];
        d.readFixed(bytes);
        return bytes;
    }

    private Header checkHeader(final Map<String, String> meta, final byte[] sync, final int length,
        final String expectedCollection)
    {
        final String schemaJson = meta.get("avro.schema");
        if (schemaJson == null)
        {
            throw corrupt(4, "header has no avro.schema");
        }
        final Schema schema;
        try
        {
            schema = new Schema.Parser().parse(schemaJson);
        }
        catch (final RuntimeException ex)
        {
            throw corrupt(4, "header avro.schema does not parse: " + ex.getMessage());
        }
        if (SchemaNormalization.parsingFingerprint64(schema) != SCHEMA_FINGERPRINT)
        {
            throw corrupt(4, "header schema " + schema.getFullName() + " is not Spindle's WalEntry version " +
                SegmentFormat.FORMAT_VERSION);
        }
        final String codecName = meta.getOrDefault("avro.codec", "null");
        final Codec codec = Codec.ofAvroName(codecName);
        if (codec == null)
        {
            throw corrupt(4, "header avro.codec is '" + codecName + "'; Spindle segments use null, zstandard, snappy " +
                "or deflate");
        }
        final String version = meta.get(SegmentFormat.META_FORMAT_VERSION);
        if (!Integer.toString(SegmentFormat.FORMAT_VERSION).equals(version))
        {
            throw corrupt(4, "header " + SegmentFormat.META_FORMAT_VERSION + " is " + version + ", expected " +
                SegmentFormat.FORMAT_VERSION);
        }
        final String collection = meta.get(SegmentFormat.META_COLLECTION);
        if (collection == null || (expectedCollection != null && !expectedCollection.equals(collection)))
        {
            throw corrupt(4, "header " + SegmentFormat.META_COLLECTION + " is " + collection +
                (expectedCollection == null ? "" : " but the file lies in the directory of " + expectedCollection));
        }
        final long first;
        try
        {
            first = Long.parseLong(meta.getOrDefault(SegmentFormat.META_FIRST_SEQUENCE, ""));
        }
        catch (final NumberFormatException ex)
        {
            throw corrupt(4, "header " + SegmentFormat.META_FIRST_SEQUENCE + " is not a number");
        }
        SyncMode mode = null;
        try
        {
            final String m = meta.get(SegmentFormat.META_SYNC_MODE);
            mode = m == null ? null : SyncMode.valueOf(m);
        }
        catch (final IllegalArgumentException ignore)
        {
            // an unknown mode is treated as not said: recovery is then strict
        }
        long segmentSize = 0;
        try
        {
            segmentSize = Long.parseLong(meta.getOrDefault(SegmentFormat.META_SEGMENT_SIZE, "0"));
        }
        catch (final NumberFormatException ignore)
        {
            // not said: readers bound a block by the default segment size
        }
        return new Header(length, sync, meta, collection, first, mode, codec, segmentSize);
    }

    /**
     * Read the block at {@code offset}, not reading past {@code readTo} nor the end of the file. Entries must be of the header's
     * collection with sequences above {@code previousSequence}, strictly increasing.
     *
     * @param block where to put the result (cleared first).
     */
    public void readBlock(final long offset, final long readTo, final long previousSequence, final Block block)
        throws IOException
    {
        // a length read from the file is checked against the bytes really there: a reader told to read a growing
        // file to its end (a tail's Long.MAX_VALUE) takes the file's size now, or garbage after the last block
        // (a recycled or mapped file's) could claim gigabytes and be allocated, or overflow an int
        final long limit = readTo <= size ? readTo : Math.min(readTo, channel.size());
        block.entries.clear();
        block.offset = offset;
        block.nextOffset = offset;
        block.problem = null;
        block.problemOffset = offset;
        block.claimedEnd = -1;
        if (offset >= limit)
        {
            block.status = Status.END;
            return;
        }
        final int headerBytes = (int)Math.min(SegmentFormat.MAX_BLOCK_HEADER, limit - offset);
        final int got = channel.readFully(ByteBuffer.wrap(small, 0, headerBytes), offset);
        if (got > 0 && small[0] == 0)
        {
            block.status = Status.END;
            return;
        }
        final long count;
        final long length;
        final int headerLength;
        try
        {
            varints = DecoderFactory.get().binaryDecoder(small, 0, got, varints);
            count = varints.readLong();
            length = varints.readLong();
            headerLength = got - varints.inputStream().available();
        }
        catch (final IOException | RuntimeException ex)
        {
            invalid(block, offset, "block header is truncated or not a varint");
            return;
        }
        final long available = limit - offset - headerLength - SegmentFormat.SYNC_SIZE;
        if (count <= 0 || length <= 0 || length > available || (codec == null && count > length))
        {
            invalid(block, offset, "block header (count " + count + ", size " + length + ") does not fit the " +
                Math.max(0, limit - offset) + " bytes left");
            return;
        }
        final int total = (int)length + SegmentFormat.SYNC_SIZE;
        block.claimedEnd = offset + headerLength + total;
        if (body.length < total)
        {
            body = new byte[Math.max(total, Math.min(Integer.MAX_VALUE - 8, body.length * 2))];
        }
        final long bodyOffset = offset + headerLength;
        if (channel.readFully(ByteBuffer.wrap(body, 0, total), bodyOffset) < total)
        {
            invalid(block, offset, "block runs past the end of the file");
            return;
        }
        if (!syncMatches(body, (int)length))
        {
            invalid(block, bodyOffset + length, "sync marker does not match the header's");
            return;
        }
        if (!entriesOf(block, bodyOffset, (int)length, count))
        {
            return;
        }
        decoder.wrap(entries, 0, entriesLength);
        long previous = previousSequence;
        for (long i = 0; i < count; i++)
        {
            final int at = entriesLength - decoder.remaining();
            final WalRecord record;
            try
            {
                record = decoder.next(entries);
            }
            catch (final EntryDecoder.MalformedEntry ex)
            {
                invalid(block, entryOffset(bodyOffset, ex.offset()), ex.getMessage() + where(ex.offset()));
                return;
            }
            if (header != null && !header.collection.equals(record.collection()))
            {
                invalid(block, entryOffset(bodyOffset, at), "entry of collection " + record.collection() +
                    " in a segment of " + header.collection + where(at));
                return;
            }
            if (record.sequence() <= previous)
            {
                invalid(block, entryOffset(bodyOffset, at), "sequence " + record.sequence() +
                    " does not increase (previous " + previous + ")" + where(at));
                return;
            }
            previous = record.sequence();
            if (block.entries.size() == block.entryLengths.length)
            {
                block.entryLengths = Arrays.copyOf(block.entryLengths, block.entryLengths.length * 2);
            }
            block.entryLengths[block.entries.size()] = decoder.entryLength();
            block.entries.add(record);
        }
        if (decoder.remaining() != 0)
        {
            invalid(block, entryOffset(bodyOffset, entriesLength - decoder.remaining()), "block of " + entriesLength +
                " bytes of entries holds " + decoder.remaining() + " bytes after its " + count + " entries" +
                where(entriesLength - decoder.remaining()));
            return;
        }
        block.status = Status.VALID;
        block.claimedEnd = -1;
        block.bodyOffset = bodyOffset;
        block.nextOffset = bodyOffset + total;
    }

    /**
     * Point {@link #entries} at the block's encoded entries: its body, or the body decompressed.
     *
     * @return false, the block marked invalid, when the body does not decompress or holds too few bytes.
     */
    private boolean entriesOf(final Block block, final long bodyOffset, final int length, final long count)
    {
        if (codec == null)
        {
            entries = body;
            entriesLength = length;
            return true;
        }
        try
        {
            entriesLength = codec.decompress(body, 0, length);
            entries = codec.entries();
        }
        catch (final IOException | RuntimeException ex)
        {
            invalid(block, bodyOffset, header.codec + " block does not decompress: " + ex.getMessage());
            return false;
        }
        if (count > entriesLength)
        {
            invalid(block, bodyOffset, "block of " + count + " entries decompresses to " + entriesLength + " bytes");
            return false;
        }
        return true;
    }

    /** @return the file offset to name for byte {@code at} of a block's entries (its body's, when compressed). */
    private long entryOffset(final long bodyOffset, final long at)
    {
        return codec == null ? bodyOffset + at : bodyOffset;
    }

    /** @return for a compressed block, where in its entries a problem is. */
    private String where(final long at)
    {
        return codec == null ? "" : " (at byte " + at + " of the block's " + entriesLength + " bytes of " +
            "decompressed entries)";
    }

    /**
     * @return the encoded entries of the last block read whole and valid (decompressed), from index 0 to its
     *     length; valid until the next read.
     */
    public ByteBuffer entriesOfLastBlock()
    {
        return ByteBuffer.wrap(entries, 0, entriesLength);
    }

    private boolean syncMatches(final byte[] bytes, final int at)
    {
        return regionEquals(bytes, at, header.sync);
    }

    static boolean regionEquals(final byte[] bytes, final int at, final byte[] sync)
    {
        return Arrays.equals(bytes, at, at + sync.length, sync, 0, sync.length);
    }

    private static void invalid(final Block block, final long at, final String problem)
    {
        block.status = Status.INVALID;
        block.problem = problem;
        block.problemOffset = at;
    }

    private CorruptSegmentException corrupt(final long offset, final String problem)
    {
        return new CorruptSegmentException(path, offset, problem);
    }

    @Override
    public void close() throws IOException
    {
        if (codec != null)
        {
            codec.close();
        }
        channel.close();
    }
}
