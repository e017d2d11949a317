package dev.spindle.wal.internal.segment;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A growable in-memory "file" for {@code MemoryOnly} lanes: segments keep their exact on-disk format,
 * so the same writer, reader and replay serve them. One writer (the lane thread), any number of readers,
 * no lock: the writer fills chunks and then publishes the size, and a reader reads the size before the
 * chunks, so every byte below the size it saw is there.
 *
 * <p>The bytes live off the heap, in chunks that are never copied or moved: 64 KiB, doubling to 1 MiB, then
 * 1 MiB each (a lane with many small collections holds little). A heap array that doubled and was copied
 * at each growth and truncation made {@code MemoryOnly} slower than writing to disk: G1 spent a sixth of
 * the run in pauses copying humongous arrays.
 *
 * <p>When a checkpoint deletes the segment, its 1 MiB chunks go back to the store's spares for the lane's next
 * segments, once no reader has the segment open ({@link #openReader} counts them): the memory a checkpoint
 * frees is reused at once instead of waiting for a garbage collection to release direct buffers, and a reader
 * never sees a chunk rewritten under it. Smaller chunks, and spares beyond the store's bound, are left to the
 * garbage collector.
 */
public final class MemoryChannel implements SegmentChannel
{
    private static final int FIRST_CHUNK = 64 * 1024;
    private static final int GROWING_CHUNKS = 5;    // 64 KiB .. 1 MiB
    static final int MAX_CHUNK = FIRST_CHUNK << (GROWING_CHUNKS - 1);
    /** Where the first 1 MiB chunk after the growing ones starts. */
    private static final long GROWN = (long)FIRST_CHUNK * ((1 << GROWING_CHUNKS) - 1) - MAX_CHUNK;

    private static final int DELETED = 1 << 30;

    private final MemoryStore store;
    private volatile ByteBuffer[] chunks = new ByteBuffer[0];
    private volatile long size;
    /** Open readers, plus {@link #DELETED} once the store dropped this segment. */
    private final AtomicInteger state = new AtomicInteger();

    /**
     * @param store where spare chunks come from and go back to; null for none.
     */
    MemoryChannel(final MemoryStore store)
    {
        this.store = store;
    }

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
                final ByteBuffer spare = i >= GROWING_CHUNKS - 1 && store != null ? store.takeSpare() : null;
                c[i] = spare != null ? spare : ByteBuffer.allocateDirect(chunkSize(i));
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
        // the writer is done; the store keeps the bytes until a checkpoint drops the segment
    }

    /**
     * @return a view for one reader, counted until it is closed; or null when the segment is deleted already.
     */
    SegmentChannel openReader()
    {
        while (true)
        {
            final int s = state.get();
            if ((s & DELETED) != 0)
            {
                return null;
            }
            if (state.compareAndSet(s, s + 1))
            {
                return new Reader();
            }
        }
    }

    /**
     * The store dropped this segment: its chunks become spares once the last reader closes.
     */
    void delete()
    {
        if (state.getAndUpdate(s -> s | DELETED) == 0)
        {
            release();
        }
    }

    private void readerClosed()
    {
        if (state.decrementAndGet() == DELETED)
        {
            release();
        }
    }

    private void release()
    {
        final ByteBuffer[] c = chunks;
        chunks = new ByteBuffer[0];
        size = 0;
        if (store != null)
        {
            for (int i = GROWING_CHUNKS - 1; i < c.length; i++)
            {
                store.giveSpare(c[i]);
            }
        }
    }

    /** One reader's view: reads the segment, and on close lets its chunks go once it is deleted. */
    private final class Reader implements SegmentChannel
    {
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        @Override
        public int write(final ByteBuffer source, final long position)
        {
            throw new java.nio.channels.NonWritableChannelException();    // read-only, as a FileChannel opened to read
        }

        @Override
        public int read(final ByteBuffer destination, final long position)
        {
            return MemoryChannel.this.read(destination, position);
        }

        @Override
        public long size()
        {
            return MemoryChannel.this.size();
        }

        @Override
        public void truncate(final long newSize)
        {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override
        public void force(final boolean metadata)
        {
            // nothing to force
        }

        @Override
        public void close()
        {
            if (closed.compareAndSet(false, true))
            {
                readerClosed();
            }
        }
    }
}
