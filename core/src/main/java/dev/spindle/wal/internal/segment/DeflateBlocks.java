package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Avro's {@code deflate} blocks: raw deflate (no zlib header or trailer), as Avro's {@code DeflateCodec} writes with
 * {@code new Deflater(level, true)}.
 */
final class DeflateBlocks extends BlockCodec
{
    private final int level;
    private Deflater deflater;
    private Inflater inflater;

    DeflateBlocks(final int level, final long maxEntriesBytes)
    {
        super(maxEntriesBytes);
        this.level = level;
    }

    @Override
    public Codec codec()
    {
        return Codec.DEFLATE;
    }

    @Override
    protected int compress(final ByteBuffer source, final int from, final int length, final ByteBuffer target)
        throws IOException
    {
        if (deflater == null)
        {
            deflater = new Deflater(level, true);
        }
        deflater.reset();
        source.limit(from + length).position(from);
        try
        {
            deflater.setInput(source);
            deflater.finish();
            while (!deflater.finished())
            {
                if (deflater.deflate(target) == 0 && !target.hasRemaining())
                {
                    throw new IOException("deflate needed more than " + target.capacity() + " bytes for " + length);
                }
            }
            return target.position();
        }
        finally
        {
            source.clear();
            deflater.reset();   // lets go of the source
        }
    }

    @Override
    public int decompress(final byte[] block, final int from, final int length) throws IOException
    {
        if (inflater == null)
        {
            inflater = new Inflater(true);
        }
        inflater.reset();
        inflater.setInput(block, from, length);
        int n = 0;
        try
        {
            while (!inflater.finished())
            {
                final byte[] into = entries(n + 1L, n);
                final int got = inflater.inflate(into, n, into.length - n);
                n += got;
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary()))
                {
                    throw new IOException("the deflate stream ends before its last block");
                }
            }
            return n;
        }
        catch (final DataFormatException ex)
        {
            throw new IOException("not a deflate stream (" + ex.getMessage() + ")", ex);
        }
    }

    @Override
    public void close()
    {
        if (deflater != null)
        {
            deflater.end();
        }
        if (inflater != null)
        {
            inflater.end();
        }
    }
}
