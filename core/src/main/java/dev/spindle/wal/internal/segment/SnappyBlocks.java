package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;
import org.agrona.BufferUtil;
import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Avro's {@code snappy} blocks: the snappy-compressed entries, then the CRC32 of the uncompressed entries as a
 * big-endian int (Avro's {@code SnappyCodec} checks it, and so does this).
 */
final class SnappyBlocks extends BlockCodec
{
    /**
     * The most snappy expands: its densest element, a copy of 64 bytes, takes 3 bytes. A claim past this many times
     * the block is damage, refused before anything is allocated for it.
     */
    private static final int MAX_RATIO = 22;

    private final CRC32 crc = new CRC32();

    SnappyBlocks(final long maxEntriesBytes)
    {
        super(maxEntriesBytes);
    }

    @Override
    public Codec codec()
    {
        return Codec.SNAPPY;
    }

    @Override
    protected int compress(final ByteBuffer source, final int from, final int length, final ByteBuffer target)
        throws IOException
    {
        final int n = (int)Snappy.rawCompress(BufferUtil.address(source) + from, length, BufferUtil.address(target));
        crc.reset();
        source.limit(from + length).position(from);
        crc.update(source);
        source.clear();
        target.putInt(n, (int)crc.getValue());
        return n + Integer.BYTES;
    }

    @Override
    public int decompress(final byte[] block, final int from, final int length) throws IOException
    {
        if (length < Integer.BYTES + 1)
        {
            throw new IOException("a snappy block of " + length + " bytes is too short");
        }
        final int compressed = length - Integer.BYTES;
        final int size;
        try
        {
            size = Snappy.uncompressedLength(block, from, compressed);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IOException("not a snappy block (" + ex.getMessage() + ")", ex);
        }
        if (size < 0 || size > (long)compressed * MAX_RATIO + 64)
        {
            throw new IOException("a snappy block of " + compressed + " bytes claims " + (size & 0xFFFFFFFFL) +
                " bytes, more than snappy can expand it to");
        }
        final byte[] into = entries(size, 0);
        final int n;
        try
        {
            n = Snappy.rawUncompress(block, from, compressed, into, 0);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IOException("not a snappy block (" + ex.getMessage() + ")", ex);
        }
        crc.reset();
        crc.update(into, 0, n);
        final int stored = ByteBuffer.wrap(block, from + compressed, Integer.BYTES).getInt();
        if (n != size || stored != (int)crc.getValue())
        {
            throw new IOException("snappy block checksum does not match its entries");
        }
        return n;
    }
}
