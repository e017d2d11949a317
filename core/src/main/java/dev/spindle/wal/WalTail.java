package dev.spindle.wal;

import dev.spindle.wal.internal.tail.Follower;

import java.util.concurrent.TimeUnit;

/**
 * A collection followed like {@code tail -f} ({@link Wal#tail}, {@link WalReader#tail}): its entries go to the
 * handler in sequence order, without a gap, from the first sequence asked for, as they come, on a thread of the
 * tail's own ({@code spindle-tail-<collection>}). Entries a checkpoint freed before the tail reached them are
 * skipped. Close it to stop; a handler that throws stops it too ({@link #failure()}).
 */
public final class WalTail implements AutoCloseable
{
    private final Follower follower;

    WalTail(final Follower follower)
    {
        this.follower = follower;
    }

    public String collection()
    {
        return follower.collection();
    }

    /**
     * @return the sequence up to which the tail has gone: the last delivered to the handler, or passed because a
     *     checkpoint freed it before the tail reached it (one below the first asked for, before any).
     */
    public long lastDelivered()
    {
        return follower.lastDelivered();
    }

    /**
     * Wait until the handler has been given {@code sequence} (or a later one, where a checkpoint freed it).
     *
     * @return false when {@code timeout} passed first, or the tail stopped.
     */
    public boolean awaitDelivered(final long sequence, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return follower.awaitDelivered(sequence, timeout, unit);
    }

    /** @return whether the tail still follows (not closed, not stopped by a failure). */
    public boolean isRunning()
    {
        return follower.isRunning();
    }

    /** @return what stopped the tail other than {@link #close()} (the handler's exception, a damaged file), or null. */
    public Throwable failure()
    {
        return follower.failure();
    }

    /** Stop following; waits (up to 10 s) for the handler to return from the entry it is given. */
    @Override
    public void close()
    {
        follower.close();
    }

    @Override
    public String toString()
    {
        return "tail of " + follower.collection() + " at " + follower.lastDelivered();
    }
}
