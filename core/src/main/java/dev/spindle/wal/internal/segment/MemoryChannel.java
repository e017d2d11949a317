package dev.spindle.wal.internal.segment;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable in-memory "file" for {@code MemoryOnly} lanes: segments keep their exact on-disk format,
 * so the same writer, reader and replay serve them. One writer (the lane thread), any number of readers,
 * no lock: the writer fills chunks and then publishes the size, and a reader reads the size before the
 * chunks, so every byte below the size it saw is there.
 *
 * <p>The bytes live off the heap, in chunks that are never copied or moved: 64 KiB, doubling to 1 MiB, then
 * 1 MiB each (a lane with many small collections holds little). A heap array that doubled and was copied
 * at each growth and truncation made {@code MemoryOnly} slower than writing to disk: G1 spent a sixth of
 * the run in pauses copying humongous arrays. A chunk is freed by the garbage collector once no segment
 * and no reader refers to it, so a reader never sees freed memory.
 */
public final class MemoryChannel implements SegmentChannel
{
    private static final int FIRST_CHUNK = 64 * 1024;
    private static final int GROWING_CHUNKS = 5;    // 64 KiB .. 1 MiB
    private static final int MAX_CHUNK = FIRST_CHUNK << (GROWING_CHUNKS - 1);
    /** Where the first 1 MiB chunk after the growing ones starts. */
    private static final long GROWN = (long)FIRST_CHUNK * ((1 << GROWING_CHUNKS) - 1) - MAX_CHUNK;

    private volatile ByteBuffer[] chunks = new ByteBuffer[0];
    private volatile long size;

    private static long start(final int chunk)
    {
        return chunk < GROWING_CHUNKS ? (long)FIRST_CHUNK * ((1L << chunk) - 1) :
            GROWN + (long)(chunk - GROWING_CHUNKS + 1) * MAX_CHUNK;
    }

    private static int chunkOf(final long position)
    {
        if (position < GROWN + MAX_CHUNK)
        {
            return 63 - Long.numberOfLeadingZeros(position / FIRST_CHUNK + 1);
        }
        return GROWING_CHUNKS + (int)((position - GROWN - MAX_CHUNK) / MAX_CHUNK);
    }

    private static int chunkSize(final int chunk)
    {
        return chunk < GROWING_CHUNKS ? FIRST_CHUNK << chunk : MAX_CHUNK;
    }

    @Override
    public int write(final ByteBuffer source, final long position)
    {
        final int length = source.remaining();
        final long end = position + length;
        if (end > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("memory segment over 2 GiB");
        }
        ByteBuffer[] c = chunks;
        final int last = chunkOf(end - 1);
        if (length > 0 && last >= c.length)
        {
            c = Arrays.copyOf(c, last + 1);
            for (int i = chunks.length; i <= last; i++)
            {
                c[i] = ByteBuffer.allocateDirect(chunkSize(i));
            }
        }
        long at = position;
        int from = source.position();
        while (at < end)
        {
            final int chunk = chunkOf(at);
            final int offset = (int)(at - start(chunk));
            final int n = (int)Math.min(end - at, chunkSize(chunk) - offset);
            c[chunk].put(offset, source, from, n);
            at += n;
            from += n;
        }
        source.position(from);
        chunks = c;
        if (end > size) // single writer: no race on size
        {
            size = end;
        }
        return length;
    }

    @Override
    public int read(final ByteBuffer destination, final long position)
    {
        final long available = size - position;
        final ByteBuffer[] c = chunks;
        if (available <= 0)
        {
            return -1;
        }
        final int total = (int)Math.min(available, destination.remaining());
        long at = position;
        int to = destination.position();
        final long end = position + total;
        while (at < end)
        {
            final int chunk = chunkOf(at);
            final int offset = (int)(at - start(chunk));
            final int n = (int)Math.min(end - at, chunkSize(chunk) - offset);
            destination.put(to, c[chunk], offset, n);
            at += n;
            to += n;
        }
        destination.position(to);
        return total;
    }

    @Override
    public long size()
    {
        return size;
    }

    /**
     * @return bytes of memory this segment holds.
     */
    public long footprint()
    {
        final ByteBuffer[] c = chunks;
        return c.length == 0 ? 0 : start(c.length - 1) + chunkSize(c.length - 1);
    }

    @Override
    public void truncate(final long newSize)
    {
        if (newSize <= size)
        {
            size = newSize;    // the chunks stay, holding old bytes past size that no reader is let see
        }
    }

    @Override
    public void force(final boolean metadata)
    {
        // memory is as durable as it gets
    }

    @Override
    public void close()
    {
        // the store keeps the bytes until a checkpoint drops the segment
    }
}
