package dev.spindle.wal.internal.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a warning that can repeat (an upload failing while a store is down, a freed segment that cannot be reused)
 * to one log line per interval: {@link #allow()} says whether to log now, and {@link #suppressed()} how many were
 * left out since the last line, to say so in it. Any thread; allocation-free.
 */
public final class LogLimiter
{
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong skipped = new AtomicLong();

    /** One line per 10 seconds. */
    public LogLimiter()
    {
        this(10, TimeUnit.SECONDS);
    }

    public LogLimiter(final long interval, final TimeUnit unit)
    {
        this.intervalNanos = unit.toNanos(interval);
    }

    /** @return true when this occurrence is to be logged; false when it only counts. */
    public boolean allow()
    {
        final long now = System.nanoTime();
        final long due = next.get();
        if ((due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + intervalNanos))
        {
            return true;
        }
        skipped.incrementAndGet();
        return false;
    }

    /**
     * @return " (and N more like it not logged since the last)" for the line being logged, or "" (and resets the
     *     count).
     */
    public String suppressed()
    {
        final long n = skipped.getAndSet(0);
        return n == 0 ? "" : " (and " + n + " more like it not logged since the last)";
    }
}
