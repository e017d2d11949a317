package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the WAL is open. Appenders, waiters, checkpoints and replays look at it; {@code close} shuts it
 * once. Any thread.
 */
public final class OpenGate
{
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * @return true for the one caller that closes the gate; false when it was closed already.
     */
    public boolean close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return false;
        }
        closed = true;
        return true;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @throws WalException when the WAL is closed.
     */
    public void checkOpen()
    {
        if (closed)
        {
            throw new WalException("the WAL is closed");
        }
    }
}
