package dev.spindle.wal.internal.segment;

import org.agrona.BufferUtil;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * Extends segments with real zero writes a little ahead of the write position, on its own thread.
 * For mapped segments this is what keeps the lane from faulting on a page whose disk blocks are not
 * allocated (a full disk is then an {@link IOException} here, handed to the lane, instead of a
 * SIGBUS); for pwrite segments, with the zeros fdatasync'd, it keeps the lane's fdatasyncs free of
 * metadata. The lane waits for it only when the disk falls behind. One per lane.
 */
public final class Preallocator implements AutoCloseable
{
    private static final int ZERO_BUFFER = 1 << 20;

    /** A file to extend: the lane thread raises {@link #requested}; this thread raises {@link #allocated}. */
    public abstract static class Target
    {
        protected volatile long requested;
        protected volatile long allocated;
        protected volatile IOException failure;
        protected volatile boolean cancelled;
        /** fdatasync each filled chunk before it counts as allocated. */
        protected boolean syncZeros;
        /** One fill at a time per file: two would race, one writing zeros over what the lane wrote. */
        private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

        protected abstract FileChannel channel();

        /**
         * Stop extending this file and wait for a fill in progress to end. Lane thread only.
         */
        public final void cancel()
        {
            cancelled = true;
            while (busy.get())
            {
                Thread.onSpinWait();
            }
        }
    }

    private final ManyToOneConcurrentArrayQueue<Target> queue = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ByteBuffer zeros = BufferUtil.allocateDirectAligned(ZERO_BUFFER, 4096);
    private final Thread thread;
    private volatile boolean running = true;

    public Preallocator(final String name)
    {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Ask for {@code target} to be extended to its {@code requested} length. Never blocks.
     *
     * @return false when the queue is full; the caller then extends the file itself.
     */
    public boolean request(final Target target)
    {
        final boolean queued = queue.offer(target);
        LockSupport.unpark(thread);
        return queued;
    }

    private void run()
    {
        while (running)
        {
            final Target target = queue.poll();
            if (target == null)
            {
                LockSupport.park(this);
                continue;
            }
            fill(target, zeros);
        }
    }

    /**
     * Write zeros from {@code target.allocated} to {@code target.requested}. Runs on this thread, or on
     * the lane thread when the queue was full (then {@code buffer} is the lane's own).
     */
    static void fill(final Target target, final ByteBuffer buffer)
    {
        if (!target.busy.compareAndSet(false, true))
        {
            return; // another thread is filling this file; it goes on until requested is met
        }
        try
        {
            final FileChannel channel = target.channel();
            long at = target.allocated;
            while (at < target.requested && !target.cancelled && target.failure == null)
            {
                final long to = target.requested;
                while (at < to && !target.cancelled)
                {
                    final int n = (int)Math.min(buffer.capacity(), to - at);
                    buffer.clear().limit(n);
                    while (buffer.hasRemaining())
                    {
                        at += channel.write(buffer, at);
                    }
                    if (!target.syncZeros)
                    {
                        target.allocated = at;
                    }
                    else if (at == to || (at & ((8 << 20) - 1)) == 0)
                    {
                        channel.force(false);   // blocks and size on disk before the lane writes there
                        target.allocated = at;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            target.failure = ex;
        }
        finally
        {
            target.busy.set(false);
        }
    }

    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
