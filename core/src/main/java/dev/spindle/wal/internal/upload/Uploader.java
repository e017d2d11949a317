package dev.spindle.wal.internal.upload;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upload threads of one backend ({@code s3}, {@code adls} or {@code gcs}), shared by every remote lane of
 * it: at most {@code upload_concurrency} uploads run at once, and a failed attempt is scheduled again after an
 * exponential backoff with jitter instead of holding a thread while it waits.
 *
 * <p>Design note: lane threads only hand work over ({@link #submit}); they never wait for this pool. What bounds
 * the work queued here is the staged byte budget each {@link RemoteLane} enforces on its appenders.
 */
public final class Uploader implements AutoCloseable
{
    private final String backend;
    private final ScheduledThreadPoolExecutor pool;
    private final long retryBaseMs;
    private final long retryMaxMs;

    public Uploader(final String backend, final int concurrency, final long retryBaseMs, final long retryMaxMs)
    {
        this.backend = backend;
        this.retryBaseMs = retryBaseMs;
        this.retryMaxMs = retryMaxMs;
        final AtomicInteger threads = new AtomicInteger();
        this.pool = new ScheduledThreadPoolExecutor(concurrency, r -> {
            final Thread t = new Thread(r, "spindle-upload-" + backend + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
    }

    public String backend()
    {
        return backend;
    }

    /** Run {@code task} as soon as a thread is free. */
    public void submit(final Runnable task)
    {
        try
        {
            pool.execute(task);
        }
        catch (final java.util.concurrent.RejectedExecutionException closed)
        {
            // closed: what is left stays in staging and is uploaded at the next open
        }
    }

    /** Run {@code task} again after the backoff for its {@code attempt}-th failure. */
    public void retry(final Runnable task, final int attempt, final boolean retryable)
    {
        try
        {
            pool.schedule(task, delayMs(attempt, retryable), TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException closed)
        {
            // closed meanwhile
        }
    }

    /**
     * @return the delay before the next attempt: base × 2^(attempt−1), capped, with "equal jitter" (half fixed,
     *     half random) so that many lanes failing together do not retry in lock step. A failure retrying cannot
     *     fix by itself (a refused credential) waits the longest delay.
     */
    long delayMs(final int attempt, final boolean retryable)
    {
        final long ceiling = retryable ? Math.min(retryMaxMs, retryBaseMs << Math.min(20, Math.max(0, attempt - 1))) :
            retryMaxMs;
        final long half = Math.max(1, ceiling / 2);
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    @Override
    public void close()
    {
        pool.shutdownNow();
    }
}
