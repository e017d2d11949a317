package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.segment.ActiveSegment;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Forces the dirty segments of one batch concurrently: the lane thread and up to
 * {@code sync_parallelism - 1} helper threads each take the next file and fsync it, so a batch that
 * touched K collections waits about one fsync, not K (the device coalesces concurrent flushes).
 * A batch that touched one file is forced inline, with no hand-off. Allocates nothing.
 *
 * <p>Hand-off: one {@link #ticket} holds (generation, next index). The lane thread fills {@link #work},
 * {@link #count} and resets {@link #done}, then opens a generation (index 0). Everyone claims an index
 * with a CAS on the ticket; a claim can only succeed while its generation is open. When all are done
 * the lane thread closes the generation (index {@link #CLOSED}) before it touches {@link #work} again,
 * so a helper that wakes late can never claim an index of a batch that has moved on.
 */
final class ParallelForcer implements AutoCloseable
{
    private static final long CLOSED = 0xFFFF_FFFFL;
    private static final long INDEX = 0xFFFF_FFFFL;

    private final Thread[] helpers;
    private final AtomicLong ticket = new AtomicLong(CLOSED);
    private final AtomicInteger done = new AtomicInteger();
    private volatile ActiveSegment[] work = new ActiveSegment[0];
    private volatile int count;
    private volatile Thread owner;
    private volatile Throwable failure;
    private volatile boolean running = true;
    private long generation;

    ParallelForcer(final String name, final int parallelism)
    {
        helpers = new Thread[Math.max(0, parallelism - 1)];
        for (int i = 0; i < helpers.length; i++)
        {
            helpers[i] = new Thread(this::helperLoop, name + "-" + i);
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    /**
     * Force {@code segments[0..n)}; returns when all are forced.
     *
     * @throws IOException the first failure (the others are still attempted).
     */
    void forceAll(final ActiveSegment[] segments, final int n) throws IOException
    {
        if (n == 0)
        {
            return;
        }
        if (n == 1 || helpers.length == 0)
        {
            for (int i = 0; i < n; i++)
            {
                segments[i].force();
            }
            return;
        }
        owner = Thread.currentThread();
        failure = null;
        work = segments;
        count = n;
        done.set(0);
        generation = (generation + 1) & 0x7FFF_FFFFL;
        ticket.set(generation << 32);                         // open: indexes 0..n-1 may be claimed
        for (int i = 0, wake = Math.min(n - 1, helpers.length); i < wake; i++)
        {
            LockSupport.unpark(helpers[i]);
        }
        participate();
        int spins = 0;
        while (done.get() < n)
        {
            if (++spins < 200)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(20_000);
            }
        }
        ticket.set((generation << 32) | CLOSED);              // closed before the work is reused
        final Throwable t = failure;
        if (t != null)
        {
            throw t instanceof IOException ? (IOException)t : new IOException(t.getMessage(), t);
        }
    }

    private void participate()
    {
        while (true)
        {
            final long t = ticket.get();
            final long index = t & INDEX;
            if (index == CLOSED || index >= count)
            {
                return;
            }
            if (!ticket.compareAndSet(t, t + 1))
            {
                continue;
            }
            // claimed while this generation was open: it cannot close before this index is done,
            // so work and count are still this generation's
            try
            {
                work[(int)index].force();
            }
            catch (final Throwable e)
            {
                if (failure == null)
                {
                    failure = e;
                }
            }
            if (done.incrementAndGet() == count)
            {
                LockSupport.unpark(owner);
            }
        }
    }

    private void helperLoop()
    {
        while (running)
        {
            final long index = ticket.get() & INDEX;
            if (index != CLOSED && index < count)
            {
                participate();
            }
            else
            {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        for (final Thread helper : helpers)
        {
            LockSupport.unpark(helper);
        }
    }
}
