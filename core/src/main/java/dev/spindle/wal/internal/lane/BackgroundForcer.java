package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.segment.ActiveSegment;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Forces full segments of a {@code sync_mode = Never} lane on its own thread, so that the lane thread does not
 * stall for the one big fsync of a whole segment at each seal (tens of milliseconds for 64 MiB of dirty pages:
 * it made {@code Never} slower than {@code PerBatch}). The lane thread {@link #submit}s a segment it no longer
 * writes to and later asks whether it {@linkplain Pending#done() is done}; only then does it seal it. This
 * thread calls nothing but {@link ActiveSegment#force()}, which is safe next to the lane thread for a segment
 * the lane no longer appends to. One per lane, and only for lanes that need it.
 */
final class BackgroundForcer implements AutoCloseable
{
    /** One segment handed over: done once forced, or failed. */
    static final class Pending
    {
        private final ActiveSegment segment;
        private volatile boolean done;
        private volatile IOException failure;

        Pending(final ActiveSegment segment)
        {
            this.segment = segment;
        }

        boolean done()
        {
            return done;
        }

        /**
         * @throws IOException the force's failure, if it failed.
         */
        void check() throws IOException
        {
            final IOException failed = failure;
            if (failed != null)
            {
                throw new IOException("cannot force " + segment.path() + " before sealing it: " + failed.getMessage(),
                    failed);
            }
        }

        /**
         * Wait until done (the lane is closing or failing, and must not close or unmap a file being forced).
         */
        void await()
        {
            final IdleStrategy idle = new BackoffIdleStrategy(200, 100, 10_000, 200_000);
            while (!done)
            {
                idle.idle();
            }
        }
    }

    private final OneToOneConcurrentArrayQueue<Pending> queue = new OneToOneConcurrentArrayQueue<>(1024);
    private final Thread thread;
    private volatile boolean running = true;

    BackgroundForcer(final String name)
    {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Hand {@code pending}'s segment, which the lane no longer appends to, over to be forced. Lane thread only;
     * never blocks (a full queue, 1,024 segments behind, forces on the caller's thread).
     */
    Pending submit(final Pending pending)
    {
        if (!running || !queue.offer(pending))
        {
            force(pending);
            return pending;
        }
        LockSupport.unpark(thread);
        return pending;
    }

    private void run()
    {
        while (true)
        {
            final Pending pending = queue.poll();
            if (pending != null)
            {
                force(pending);
            }
            else if (!running)
            {
                return;
            }
            else
            {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    private static void force(final Pending pending)
    {
        try
        {
            pending.segment.force();
        }
        catch (final IOException ex)
        {
            pending.failure = ex;
        }
        catch (final Throwable ex)
        {
            pending.failure = new IOException(ex.toString(), ex);    // an Error too: never counted as forced
        }
        finally
        {
            pending.done = true;
        }
    }

    /**
     * Stop the thread once it has forced what it was handed.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
