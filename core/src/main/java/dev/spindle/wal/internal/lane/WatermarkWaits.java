package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Waits, on the caller's thread, until a collection's watermark reaches a sequence, the lane holding an
 * earlier entry fails, the WAL closes, or time runs out. Allocation-free in steady state: each waiting
 * thread reuses its own Agrona idle strategy (spin, yield, then park 1 µs doubling to 200 µs).
 */
public final class WatermarkWaits
{
    private static final ThreadLocal<IdleStrategy> IDLE =
        ThreadLocal.withInitial(() -> new BackoffIdleStrategy(100, 10, 1_000, 200_000));

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
     * Block until {@code collection}'s watermark {@code mark} reaches {@code sequence}.
     *
     * @param timeoutNanos how long at most; negative for no limit.
     * @return true when reached, false on timeout.
     * @throws WalException when a lane holding an earlier entry failed, or the WAL closed first.
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
        IdleStrategy idle = null;
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
            if (gate.isClosed())
            {
                if (mark.of(collection) >= sequence)
                {
                    return true;
                }
                throw new WalException("the WAL was closed before " + collection.name() + "#" + sequence +
                    " was acknowledged");
            }
            if (timeoutNanos >= 0 && System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            if (idle == null)
            {
                idle = IDLE.get();
                idle.reset();
            }
            idle.idle();
        }
    }
}
