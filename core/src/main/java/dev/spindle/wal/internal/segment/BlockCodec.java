package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The Avro block codec of a segment ({@code codec}): compresses the entries of one block as a whole, in exactly the
 * bytes Avro's own codec of that name writes, and decompresses them, bounded, for readers. Avro's {@code Codec}
 * classes allocate a buffer for every block and decompress without a bound, so this calls the same libraries
 * (zstd-jni, snappy-java, the JDK's zlib) directly: compressing allocates nothing once the output buffer has grown,
 * and a block that would decompress past what its segment can hold ({@link #readLimit}), or that is damaged, is an
 * {@link IOException}. The buffer grows only as bytes really come out (a size a block claims is taken at once only
 * when it is within what that many bytes could hold at a high ratio), so damage never makes a reader allocate much;
 * a block crafted to expand is bounded by the segment size its header declares.
 *
 * <p>Not thread-safe: one instance per lane (its writer thread compresses) or per reader.
 * {@link #close()} frees native state; a call after it fails with an exception, never a crash.
 */
public abstract class BlockCodec implements AutoCloseable
{
    private final int maxEntriesBytes;
    private ByteBuffer output;
    private byte[] entries = new byte[64 * 1024];

    BlockCodec(final long maxEntriesBytes)
    {
        this.maxEntriesBytes = (int)Math.min(Integer.MAX_VALUE - 8, maxEntriesBytes);
    }

    /**
     * @return the most one block of a segment of {@code segmentSize} bytes ({@code spindle.segment_size}; 0 when the
     *     header does not say) may decompress to: a block's entries always fit in their segment, so a block that goes
     *     further is damage. Never less than what the writer could write, whatever the reader's heap: acknowledged
     *     entries must not become unreadable on a smaller heap (it then fails with an OutOfMemoryError, loudly).
     */
    public static long readLimit(final long segmentSize)
    {
        return segmentSize <= 0 ? dev.spindle.wal.WalOptions.MAX_SEGMENT_SIZE :
            Math.max(dev.spindle.wal.WalOptions.MIN_SEGMENT_SIZE,
                Math.min(segmentSize, dev.spindle.wal.WalOptions.MAX_SEGMENT_SIZE));
    }

    /**
     * @return a codec for {@code codec} at {@code level} (0: its default), or null for {@link Codec#NULL}; it reads
     *     blocks of a segment of the default size.
     */
    public static BlockCodec create(final Codec codec, final int level)
    {
        return create(codec, level, readLimit(dev.spindle.wal.WalOptions.DEFAULT_DISK_SEGMENT_SIZE));
    }

    /**
     * @param maxEntriesBytes the most one block may decompress to ({@link #readLimit}).
     * @return a codec for {@code codec} at {@code level} (0: its default), or null for {@link Codec#NULL}.
     */
    public static BlockCodec create(final Codec codec, final int level, final long maxEntriesBytes)
    {
        switch (codec)
        {
            case ZSTANDARD:
                return new ZstandardBlocks(codec.level(level), maxEntriesBytes);
            case SNAPPY:
                return new SnappyBlocks(maxEntriesBytes);
            case DEFLATE:
                return new DeflateBlocks(codec.level(level), maxEntriesBytes);
            case NULL:
            default:
                return null;
        }
    }

    /** @return the most one block may decompress to. */
    public final int maxEntriesBytes()
    {
        return maxEntriesBytes;
    }

    /**
     * The most any codec adds to {@code n} bytes that do not compress: zstd n/256 + 64 at most, snappy n/6 + 36
     * (its CRC32 included), raw deflate 5 bytes per stored block of 16 KiB + 13. A block is only started where its
     * entries plus this still fit in the segment.
     */
    public static long growth(final long n)
    {
        return (n >> 2) + 64;
    }

    public abstract Codec codec();

    /**
     * Compress {@code length} bytes of {@code source} (a direct buffer) from {@code from} into {@link #output()}.
     * The source's position and limit may be used; it is cleared after.
     *
     * @return the compressed length: the block's size.
     */
    public final int compress(final ByteBuffer source, final int from, final int length) throws IOException
    {
        final long need = length + growth(length);
        if (output == null || output.capacity() < need)
        {
            output = ByteBuffer.allocateDirect((int)Math.min(Integer.MAX_VALUE - 8, Math.max(need, 256 * 1024)));
        }
        output.clear();
        try
        {
            return compress(source, from, length, output);
        }
        finally
        {
            source.clear();
        }
    }

    /**
     * Compress the remaining bytes of {@code entries}, on the heap (recovery's rewrite of a cut block, never the hot
     * path: they are copied off-heap first).
     *
     * @return the compressed block, a copy.
     */
    public final byte[] compress(final ByteBuffer entries) throws IOException
    {
        final int length = entries.remaining();
        final ByteBuffer direct = ByteBuffer.allocateDirect(length).put(entries);
        final byte[] block = new byte[compress(direct, 0, length)];
        output.get(0, block);
        return block;
    }

    /** @return the buffer {@link #compress} wrote into, from index 0. */
    public final ByteBuffer output()
    {
        return output;
    }

    protected abstract int compress(ByteBuffer source, int from, int length, ByteBuffer target) throws IOException;

    /**
     * Decompress the {@code length} bytes of a block at {@code from} of {@code block} into {@link #entries()}.
     *
     * @return how many bytes of {@link #entries()} the block's entries take.
     * @throws IOException when the bytes are not a whole block of this codec, or decompress past
     *     {@link #maxEntriesBytes()}.
     */
    public abstract int decompress(byte[] block, int from, int length) throws IOException;

    /** @return the entries of the last block {@link #decompress} read, from index 0. */
    public final byte[] entries()
    {
        return entries;
    }

    /**
     * Make {@link #entries()} hold at least {@code size} bytes, keeping the first {@code keep}.
     *
     * @throws IOException past {@link #maxEntriesBytes()}.
     */
    protected final byte[] entries(final long size, final int keep) throws IOException
    {
        if (size > maxEntriesBytes)
        {
            throw new TooLarge("the block decompresses to more than " + maxEntriesBytes + " bytes, more than its " +
                "segment can hold");
        }
        if (entries.length < size)
        {
            entries = Arrays.copyOf(entries, (int)Math.min(maxEntriesBytes, Math.max(size, 2L * entries.length)));
        }
        return entries;
    }

    @Override
    public void close()
    {
    }

    /** A block that decompresses, or says it does, past what its segment can hold. */
    public static final class TooLarge extends IOException
    {
        private static final long serialVersionUID = 1L;

        TooLarge(final String message)
        {
            super(message);
        }
    }
}
