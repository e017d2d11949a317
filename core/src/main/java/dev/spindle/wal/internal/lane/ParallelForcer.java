package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.segment.ActiveSegment;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Forces the dirty segments of one batch concurrently: the lane thread and up to
 * {@code sync_parallelism - 1} helper threads each take the next file and fsync it, so a batch that
 * touched K collections waits about one fsync, not K (the device coalesces concurrent flushes).
 *
 * <p>Each multi-file force is a small {@link Round} object (one per batch, never per entry): helpers
 * claim indexes from it until it runs out, so a helper that wakes late only finds an exhausted round.
 * A batch that touched one file is forced inline with no hand-off at all.
 */
final class ParallelForcer implements AutoCloseable
{
    private static final class Round
    {
        final ActiveSegment[] work;
        final int count;
        final Thread owner;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Round(final ActiveSegment[] work, final int count, final Thread owner)
        {
            this.work = work;
            this.count = count;
            this.owner = owner;
        }

        void participate()
        {
            int i;
            while ((i = next.getAndIncrement()) < count)
            {
                try
                {
                    work[i].force();
                }
                catch (final Throwable t)
                {
                    if (failure == null)
                    {
                        failure = t;
                    }
                }
                if (done.incrementAndGet() == count)
                {
                    LockSupport.unpark(owner);
                }
            }
        }
    }

    private final Thread[] helpers;
    private volatile Round current;
    private volatile boolean running = true;

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
        final Round round = new Round(segments, n, Thread.currentThread());
        current = round;
        for (int i = 0, wake = Math.min(n - 1, helpers.length); i < wake; i++)
        {
            LockSupport.unpark(helpers[i]);
        }
        round.participate();
        int spins = 0;
        while (round.done.get() < n)
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
        current = null;
        final Throwable t = round.failure;
        if (t != null)
        {
            throw t instanceof IOException ? (IOException)t : new IOException(t.getMessage(), t);
        }
    }

    private void helperLoop()
    {
        while (running)
        {
            final Round round = current;
            if (round != null && round.next.get() < round.count)
            {
                round.participate();
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
