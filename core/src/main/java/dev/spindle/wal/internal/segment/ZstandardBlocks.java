package dev.spindle.wal.internal.segment;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.spindle.wal.Codec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Avro's {@code zstandard} blocks: one zstd frame per block (content size in the frame, no checksum: each entry has
 * its CRC32C). Reads any frames, so blocks a stock Avro writer streamed read too.
 */
final class ZstandardBlocks extends BlockCodec
{
    /** Largest claimed expansion allocated before decompressing (JSON-like text compresses 5 to 10 times). */
    private static final int UPFRONT_RATIO = 64;

    private final int level;
    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;

    ZstandardBlocks(final int level, final long maxEntriesBytes)
    {
        super(maxEntriesBytes);
        this.level = level;
    }

    @Override
    public Codec codec()
    {
        return Codec.ZSTANDARD;
    }

    @Override
    protected int compress(final ByteBuffer source, final int from, final int length, final ByteBuffer target)
    {
        if (compressor == null)
        {
            compressor = new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true);
        }
        return compressor.compressDirectByteBuffer(target, 0, target.capacity(), source, from, length);
    }

    @Override
    public int decompress(final byte[] block, final int from, final int length) throws IOException
    {
        final long size = Zstd.getFrameContentSize(block, from, length);
        // a frame says how much it holds (damage can make it say anything): refused past what the segment can hold;
        // allocated at once up to a ratio text reaches; else streamed, the buffer growing as bytes really come out
        if (size > maxEntriesBytes())
        {
            throw new TooLarge("a zstd frame claims " + size + " bytes, more than its segment can hold (" +
                maxEntriesBytes() + ")");
        }
        if (size >= 0 && size <= Math.max(entries().length, (long)length * UPFRONT_RATIO + 64 * 1024))
        {
            final byte[] into = entries(size, 0);
            if (decompressor == null)
            {
                decompressor = new ZstdDecompressCtx();
            }
            try
            {
                final int n = decompressor.decompressByteArray(into, 0, (int)size, block, from, length);
                if (n == size)
                {
                    return n;
                }
            }
            catch (final RuntimeException ex)
            {
                // more than one frame (a stock writer's), or damage: the stream says which
            }
        }
        return stream(block, from, length);
    }

    private int stream(final byte[] block, final int from, final int length) throws IOException
    {
        try (InputStream in = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(block, from, length)))
        {
            int n = 0;
            while (true)
            {
                final byte[] into = entries(n + 1L, n);
                final int got = in.read(into, n, into.length - n);
                if (got < 0)
                {
                    return n;
                }
                n += got;
            }
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("not a zstd frame (" + ex.getMessage() + ")", ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            if (decompressor != null)
            {
                decompressor.close();
            }
        }
        finally
        {
            if (compressor != null)
            {
                compressor.close();     // refuses while a compression runs: the caller must know the lane is still on
            }
        }
    }
}
