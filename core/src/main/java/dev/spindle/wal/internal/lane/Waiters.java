package dev.spindle.wal.internal.lane;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads parked until one of a collection's watermarks reaches a sequence. A waiter {@link #add adds}
 * itself, looks at the watermark once more, and parks; the thread that moves a watermark (a lane thread, an
 * upload thread) {@link #wake wakes} each waiter whose sequence it reached, right away. So a caller blocked in
 * {@code awaitAcknowledged}, {@code awaitDurable} or {@code awaitRemoteDurable} returns one wake-up after the
 * watermark passes its sequence, instead of after a polling interval. Allocation-free; any thread.
 *
 * <p>No waiter can be missed: a waiter fills its slot and then raises {@link #count} before it reads the watermark;
 * a mover writes the watermark (a volatile store) before it reads {@link #count}. Of two volatile accesses in
 * that order on each side, one side sees the other's write. Waiters still park with a bound, which covers
 * what moves nothing (a lane that fails, the WAL that closes).
 */
final class Waiters
{
    /** Waiters beyond this many poll instead (park in growing steps). */
    static final int SLOTS = 16;
    private static final Watermark[] MARKS = Watermark.values();

    private final AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(SLOTS);
    /** What each slot's waiter waits for: the sequence, and the watermark's ordinal. Written before the count. */
    private final AtomicLongArray awaited = new AtomicLongArray(SLOTS);
    private final AtomicLongArray marks = new AtomicLongArray(SLOTS);
    private final AtomicInteger count = new AtomicInteger();

    /**
     * Add the calling thread as waiting until {@code mark} reaches {@code sequence}.
     *
     * @return its slot, for {@link #remove}; -1 when every slot is taken (the caller then polls).
     */
    int add(final Watermark mark, final long sequence)
    {
        final Thread self = Thread.currentThread();
        for (int i = 0; i < SLOTS; i++)
        {
            if (threads.get(i) == null && threads.compareAndSet(i, null, self))
            {
                awaited.set(i, sequence);
                marks.set(i, mark.ordinal());
                count.incrementAndGet();    // after the slot's fields: a mover that sees this count sees them
                return i;
            }
        }
        return -1;
    }

    void remove(final int slot)
    {
        threads.set(slot, null);
        count.decrementAndGet();
    }

    /**
     * Wake every waiter of {@code collection} whose watermark now reaches its sequence. Called right after a
     * watermark's volatile store; costs one volatile read when nobody waits.
     */
    void wake(final CollectionState collection)
    {
        if (count.get() == 0)
        {
            return;
        }
        long acknowledged = -1;
        long durable = -1;
        long remote = -1;
        for (int i = 0; i < SLOTS; i++)
        {
            final Thread waiter = threads.get(i);
            if (waiter == null)
            {
                continue;
            }
            final long reached;
            switch (MARKS[(int)marks.get(i)])    // each watermark computed once per wake, and only if awaited
            {
                case ACKNOWLEDGED:
                    reached = acknowledged >= 0 ? acknowledged : (acknowledged = collection.acknowledgedSequence());
                    break;
                case DURABLE:
                    reached = durable >= 0 ? durable : (durable = collection.durableSequence());
                    break;
                default:
                    reached = remote >= 0 ? remote : (remote = collection.remoteDurableSequence());
                    break;
            }
            if (reached >= awaited.get(i))
            {
                LockSupport.unpark(waiter);
            }
        }
    }
}
