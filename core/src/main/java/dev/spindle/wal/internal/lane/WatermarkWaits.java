package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits, on the caller's thread, until a collection's watermark reaches a sequence, the lane holding an
 * earlier entry fails, the WAL closes, or time runs out. It spins and yields a little, then parks as one of the
 * collection's {@link Waiters}: the thread that moves the watermark wakes it at once. Parks are bounded
 * ({@link #MAX_PARK_NANOS}), which is how a failure or a close is seen. With every waiter slot taken it polls
 * (park 1 µs doubling to 200 µs). An interrupt does not end the wait (as before): it is cleared while waiting,
 * so parks keep parking, and set again when the wait ends. Allocation-free in steady state.
 */
public final class WatermarkWaits
{
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    /** The longest a waiter sleeps without looking: how late it may notice a failed lane or a closed WAL. */
    static final long MAX_PARK_NANOS = 1_000_000;
    private static final ThreadLocal<IdleStrategy> IDLE =
        ThreadLocal.withInitial(() -> new BackoffIdleStrategy(1, 1, 1_000, 200_000));    // spun and yielded already

    private final Lane[] lanes;
    private final OpenGate gate;
    private final boolean memoryOnly;

    public WatermarkWaits(final Lane[] lanes, final OpenGate gate, final boolean memoryOnly)
    {
        this.lanes = lanes;
        this.gate = gate;
        this.memoryOnly = memoryOnly;
    }

    /**
     * A wait for the remote-durable watermark ends with an error, not at its deadline (or never), when a failed
     * remote lane holds entries of the collection that are not in object storage yet: acknowledged under
     * {@code ack = "local"} (sealed or fsync'd in staging), also below a move of the collection. Its uploader goes
     * on trying while the WAL is open, so the watermark may still pass them (a staging disk that still reads);
     * what is left is uploaded at the next open with the staging back.
     *
     * @throws WalException naming the lane and its failure.
     */
    private void notUploaded(final CollectionState collection, final long sequence)
    {
        final int staged = FailedLanes.notUploaded(lanes, collection);
        if (staged >= 0)
        {
            throw new WalException("cannot wait for " + collection.name() + "#" + sequence + " to be remote-durable: " +
                lanes[staged] + " failed holding entries of " + collection.name() + " in its staging that are not " +
                "in object storage yet (its uploader keeps trying while the WAL is open, remoteDurableSequence() " +
                "tells how far it got, and the next open uploads what is left): " +
                lanes[staged].failure().getMessage(), lanes[staged].failure());
        }
    }

    /**
     * Block until {@code collection}'s watermark {@code mark} reaches {@code sequence}.
     *
     * @param timeoutNanos how long at most; negative for no limit.
     * @return true when reached, false on timeout.
     * @throws WalException when a lane holding an earlier entry failed (for the remote-durable watermark: a remote
     *     lane holding one not uploaded yet), or the WAL closed first.
     */
    public boolean await(final CollectionState collection, final long sequence, final Watermark mark,
        final long timeoutNanos)
    {
        final boolean durable = mark != Watermark.ACKNOWLEDGED;
        if (sequence > collection.lastAssigned())
        {
            throw new IllegalArgumentException("sequence " + sequence + " of " + collection.name() +
                " has not been appended (last is " + collection.lastAssigned() + ")");
        }
        if (durable && memoryOnly)
        {
            throw new IllegalStateException("sync_mode = MemoryOnly never makes entries durable");
        }
        final long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        final Waiters waiters = collection.waiters();
        IdleStrategy polling = null;
        int slot = -1;
        int looks = 0;
        boolean interrupted = false;
        try
        {
            while (true)
            {
                if (mark.of(collection) >= sequence)
                {
                    return true;
                }
                final int failed = FailedLanes.holding(lanes, collection, durable);
                if (failed >= 0)
                {
                    lanes[failed].checkHealthy();
                }
                if (mark == Watermark.REMOTE_DURABLE)
                {
                    notUploaded(collection, sequence);
                }
                if (gate.isClosed())
                {
                    if (mark.of(collection) >= sequence)
                    {
                        return true;
                    }
                    throw new WalException("the WAL was closed before " + collection.name() + "#" + sequence +
                        " was acknowledged");
                }
                final long left = timeoutNanos < 0 ? MAX_PARK_NANOS : deadline - System.nanoTime();
                if (timeoutNanos >= 0 && left <= 0)
                {
                    return false;
                }
                looks = Math.min(looks + 1, SPINS + YIELDS + 1);    // bounded: a very long wait never wraps it
                if (looks <= SPINS)
                {
                    Thread.onSpinWait();
                }
                else if (looks <= SPINS + YIELDS)
                {
                    Thread.yield();
                }
                else if (polling != null)
                {
                    polling.idle();
                }
                else if (slot < 0)
                {
                    slot = waiters.add(mark, sequence);    // then look once more before parking
                    if (slot < 0)
                    {
                        polling = IDLE.get();
                        polling.reset();
                    }
                }
                else
                {
                    LockSupport.parkNanos(this, Math.min(left, MAX_PARK_NANOS));
                }
                interrupted |= Thread.interrupted();    // else every park would return at once: a busy loop
            }
        }
        finally
        {
            if (slot >= 0)
            {
                waiters.remove(slot);
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Park until {@code collection}'s acknowledged watermark reaches {@code sequence}, which need not have been
     * appended yet, or at most {@code timeoutNanos}, or until unparked: a tail's wait for its next entry, woken
     * by the thread that moves the watermark. Failed lanes and a closing WAL are the caller's to notice.
     */
    public void awaitTail(final CollectionState collection, final long sequence, final long timeoutNanos)
    {
        if (Watermark.ACKNOWLEDGED.of(collection) >= sequence)
        {
            return;
        }
        final Waiters waiters = collection.waiters();
        final int slot = waiters.add(Watermark.ACKNOWLEDGED, sequence);    // -1: every slot taken, it polls
        try
        {
            if (Watermark.ACKNOWLEDGED.of(collection) < sequence)
            {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        }
        finally
        {
            if (slot >= 0)
            {
                waiters.remove(slot);
            }
        }
    }
}
