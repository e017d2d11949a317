package dev.spindle.wal.internal.segment;

import org.agrona.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * One segment's preallocation: keeps the file written (with zeros) a chunk ahead of the write
 * position, through the lane's {@link Preallocator} thread, and makes the lane thread wait only when
 * the disk falls behind. With {@code syncZeros}, each chunk is also fdatasync'd before it counts, so
 * that the lane's later writes land in blocks whose allocation and file size are already on disk and
 * its fdatasyncs need no journal commit (PERF-NOTES.md: 1.5 to 3 times cheaper).
 */
final class Preallocation extends Preallocator.Target
{
    private final Path path;
    private final FileChannel channel;
    private final Preallocator preallocator;
    private final long chunk;
    private final long limit;
    private ByteBuffer inlineZeros;

    Preallocation(final Path path, final FileChannel channel, final Preallocator preallocator, final long chunk,
        final long limit, final long start, final boolean syncZeros)
    {
        this.path = path;
        this.channel = channel;
        this.preallocator = preallocator;
        this.chunk = chunk;
        this.limit = limit;
        this.allocated = start;
        this.requested = start;
        this.syncZeros = syncZeros;
    }

    @Override
    protected FileChannel channel()
    {
        return channel;
    }

    long allocated()
    {
        return allocated;
    }

    /**
     * Ask for the file to be preallocated a chunk past {@code position} (never blocks, unless the
     * preallocator's queue is full: then the lane thread writes the zeros itself).
     */
    void requestAhead(final long position) throws IOException
    {
        final long want = Math.max(position, Math.min(limit, position + chunk));
        if (want <= requested)
        {
            return;
        }
        requested = want;
        if (!preallocator.request(this))
        {
            if (inlineZeros == null)
            {
                inlineZeros = BufferUtil.allocateDirectAligned(1 << 20, 4096);
            }
            Preallocator.fill(this, inlineZeros);
            throwIfFailed();
        }
    }

    /**
     * Called after each append: keep a chunk ahead.
     */
    void keepAhead(final long position) throws IOException
    {
        if (position + chunk / 2 > requested && requested < limit)
        {
            requestAhead(position);
        }
    }

    /**
     * Return once the file is preallocated up to {@code end}.
     */
    void ensure(final long end) throws IOException
    {
        if (allocated >= end)
        {
            return;
        }
        requestAhead(end);
        int spins = 0;
        while (allocated < end)
        {
            throwIfFailed();
            if (++spins < 100)
            {
                Thread.onSpinWait();
            }
            else if (spins < 200)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(50_000);
                if (spins % 20_000 == 0)
                {
                    preallocator.request(this);
                }
            }
        }
    }

    private void throwIfFailed() throws IOException
    {
        final IOException failure = this.failure;
        if (failure != null)
        {
            throw new IOException("cannot preallocate " + path + " up to byte " + requested + ": " +
                failure.getMessage(), failure);
        }
    }

    void release()
    {
        cancel();
        inlineZeros = null;
    }
}
