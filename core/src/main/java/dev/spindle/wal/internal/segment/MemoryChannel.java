package dev.spindle.wal.internal.segment;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable in-memory "file" for {@code MemoryOnly} lanes: segments keep their exact on-disk format,
 * so the same writer, reader and replay serve them. One writer (the lane thread), any number of readers,
 * no lock: the writer fills the array (a grown array is a full copy) and then publishes the size, and a
 * reader reads the size before the array, so every byte below the size it saw is there.
 */
public final class MemoryChannel implements SegmentChannel
{
    private volatile byte[] bytes = new byte[64 * 1024];
    private volatile long size;

    @Override
    public int write(final ByteBuffer source, final long position)
    {
        final int length = source.remaining();
        final long end = position + length;
        if (end > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("memory segment over 2 GiB");
        }
        byte[] b = bytes;
        if (end > b.length)
        {
            b = Arrays.copyOf(b, (int)Math.max(end, Math.min(Integer.MAX_VALUE - 8L, b.length * 2L)));
        }
        source.get(b, (int)position, length);
        bytes = b;
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
        final byte[] b = bytes;
        if (available <= 0)
        {
            return -1;
        }
        final int n = (int)Math.min(available, destination.remaining());
        destination.put(b, (int)position, n);
        return n;
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
        return bytes.length;
    }

    @Override
    public void truncate(final long newSize)
    {
        if (newSize <= size)
        {
            bytes = Arrays.copyOf(bytes, (int)newSize);
            size = newSize;
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
