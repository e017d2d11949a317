package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.spindle.wal.AckMode;
import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.upload.RemoteLane;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.CompletableFuture;

/**
 * The first door of the data path, on the producer's thread: bound the entry's encoded size; route to a lane;
 * wait while that lane is past its share of {@code global_flush_threshold} and the bytes in flight over all lanes
 * exceed it (or, for a remote lane, while its uploads are behind); under the collection's spin lock claim a ring
 * slot ({@code tryNext}, never blocking) and take the next sequence; copy the entry into the slot; publish.
 * Nothing here allocates in steady state, and with collection affinity nothing written here is shared with
 * another lane's appenders (the global sequence is the lane thread's to give). Waits use Agrona idle strategies,
 * one per producer thread.
 */
public final class Appender
{
    /** Ring full or over the global threshold: spin, yield, then park 1 µs doubling to 100 µs. */
    private static final ThreadLocal<IdleStrategy> CAPACITY_IDLE =
        ThreadLocal.withInitial(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000));
    /** Uploads behind: spin, yield, then park 1 µs doubling to 200 µs. */
    private static final ThreadLocal<IdleStrategy> UPLOAD_IDLE =
        ThreadLocal.withInitial(() -> new BackoffIdleStrategy(100, 10, 1_000, 200_000));

    private final Lane[] lanes;
    private final Router router;
    private final OpenGate gate;
    private final long maxEntrySize;
    private final long threshold;
    private final boolean memoryOnly;

    public Appender(final Lane[] lanes, final WalOptions options, final OpenGate gate)
    {
        this.lanes = lanes;
        this.router = new Router(lanes, options.distributionStrategy(), options.collectionAffinity(),
            options.ack() == AckMode.remote);
        this.gate = gate;
        this.maxEntrySize = options.maxEntrySizeBytes();
        this.threshold = options.globalFlushThresholdBytes();
        this.memoryOnly = options.syncMode() == SyncMode.MemoryOnly;
    }

    /** @return the router, which recovery tells where existing collections live. */
    public Router router()
    {
        return router;
    }

    /**
     * Continue global sequences after the highest one recovery found (before the first append). Each lane
     * numbers its own entries ({@link Lane#continueGlobalSequences}): no counter is shared between lanes.
     */
    public void recovered(final long lastGlobalSequence)
    {
        for (final Lane lane : lanes)
        {
            lane.continueGlobalSequences(lastGlobalSequence);
        }
    }

    /**
     * Append {@code entry} to {@code collection}.
     *
     * @param future completed when the entry is acknowledged, or null.
     * @return the entry's sequence.
     */
    public long append(final CollectionState collection, final Entry entry, final CompletableFuture<Long> future)
    {
        gate.checkOpen();
        final long bound = EntrySlot.encodedBound(entry, collection.nameUtf8().length);
        if (bound > maxEntrySize)
        {
            throw new IllegalArgumentException("entry of up to " + bound + " encoded bytes exceeds " +
                "max_entry_size_bytes (" + maxEntrySize + ") for collection " + collection.name());
        }
        int laneIndex = router.laneFor(collection);
        if (lanes[laneIndex].failure() != null)
        {
            laneIndex = router.laneAfterFailure(collection);    // rare: with affinity the collection moves
        }
        final Lane lane = lanes[laneIndex];
        awaitCapacity(lane, bound);
        final RemoteLane remote = lane.remote();
        if (remote != null && !remote.hasCapacity())
        {
            awaitUploads(lane, remote);
        }
        final int stuck = FailedLanes.holding(lanes, collection, false);    // after the waits: a lane may fail in them
        if (stuck >= 0)
        {
            throw new WalException("collection " + collection.name() + " has an entry on failed lane " + stuck +
                ": no later entry could be acknowledged; reopen the WAL", lanes[stuck].failure());
        }
        final RingBuffer<EntrySlot> ring = lane.ring();
        IdleStrategy idle = null;
        long ringSequence;
        long sequence;
        while (true)
        {
            lane.checkHealthy();
            gate.checkOpen();
            collection.lock();
            try
            {
                ringSequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException full)
            {
                collection.unlock();
                if (idle == null)
                {
                    idle = CAPACITY_IDLE.get();    // only when waiting: the common path looks up nothing
                    idle.reset();
                }
                idle.idle();
                continue;
            }
            if (lane.failure() != null)
            {
                // failed since the look above: no sequence may go to it now (a move of the collection restarts
                // its sequences after what that lane made durable, under this lock)
                collection.unlock();
                abort(ring, ringSequence);
                lane.checkHealthy();
            }
            sequence = collection.assignLocked(laneIndex);
            collection.unlock();
            break;
        }
        final EntrySlot slot = ring.get(ringSequence);
        try
        {
            slot.copy(entry, collection, sequence, System.currentTimeMillis() * 1000, (int)bound, future);
        }
        catch (final Throwable t)
        {
            abort(ring, ringSequence);
            throw new WalException("could not copy an entry of " + collection.name() + " into " + lane, t);
        }
        lane.appending(bound);
        ring.publish(ringSequence);
        if (gate.isClosed())
        {
            afterClosing(lane, collection, sequence, ringSequence, future);
        }
        return sequence;
    }

    /** Publish a claimed slot that holds no entry. */
    private static void abort(final RingBuffer<EntrySlot> ring, final long ringSequence)
    {
        final EntrySlot slot = ring.get(ringSequence);
        slot.kind = EntrySlot.ABORTED;
        slot.future = null;
        ring.publish(ringSequence);
    }

    /**
     * The WAL closed while this append published: close() may have drained and halted the ring between the
     * append's look at the gate and its publish, and then nobody ends the future. Wait until the lane thread has
     * stopped and ask whether it took the slot. The lane's own thread (a future's callback that appends) does not
     * wait for itself: it drains the slot after the callback returns. Another lane's thread waits like any
     * appender (close stops the lanes one by one; a cycle is cut by the lane's 60 s drain limit).
     */
    private void afterClosing(final Lane lane, final CollectionState collection, final long sequence,
        final long ringSequence, final CompletableFuture<Long> future)
    {
        if (lane.isLaneThread())
        {
            return;
        }
        final Boolean took = lane.tookBeforeStopping(ringSequence);
        if (took == Boolean.TRUE)
        {
            return;
        }
        final WalException closed = new WalException("the WAL was closed while " + collection.name() + "#" +
            sequence + " was being appended; " + (took == null ? "whether it was written is not known (the lane " +
            "did not stop in time): replay tells" : "it was not written"));
        if (future != null)
        {
            future.completeExceptionally(closed);
        }
        throw closed;
    }

    /**
     * Back-pressure on {@code global_flush_threshold}. A lane holding less than its share of it (the threshold
     * divided by the lanes), or nothing at all, admits without reading any other lane; past its share the
     * appender sums all lanes. So lanes share nothing while none is behind, and what they hold together stays
     * under about twice the threshold (one entry more per lane and per producer). An entry larger than a share
     * still passes on an empty lane, so it cannot starve behind lanes that keep to their shares. MemoryOnly
     * refuses instead of waiting, on the same counts.
     */
    private void awaitCapacity(final Lane lane, final long bytes)
    {
        if (memoryOnly)
        {
            if (lane.storedBytes() + lane.inFlightBytes() + bytes <= lane.thresholdShare())
            {
                return;
            }
            long held = 0;
            for (final Lane l : lanes)
            {
                held += l.storedBytes() + l.inFlightBytes();
            }
            if (held + bytes > threshold)
            {
                throw new WalException("MemoryOnly WAL holds about " + held + " bytes, global_flush_threshold is " +
                    threshold + ": checkpoint collections to free memory");
            }
            return;
        }
        IdleStrategy idle = null;
        while (true)
        {
            final long own = lane.inFlightBytes();
            if (own == 0 || own + bytes <= lane.thresholdShare())
            {
                return;
            }
            long inFlight = 0;
            for (final Lane l : lanes)
            {
                inFlight += l.inFlightBytes();
            }
            if (inFlight == 0 || inFlight + bytes <= threshold)
            {
                return;
            }
            gate.checkOpen();
            if (idle == null)
            {
                idle = CAPACITY_IDLE.get();
                idle.reset();
            }
            idle.idle();
        }
    }

    /**
     * Back-pressure: the lane's staged, not yet uploaded bytes are over {@code upload_queue_bytes}.
     */
    private void awaitUploads(final Lane lane, final RemoteLane remote)
    {
        final IdleStrategy idle = UPLOAD_IDLE.get();
        idle.reset();
        while (!remote.hasCapacity())
        {
            gate.checkOpen();
            lane.checkHealthy();
            idle.idle();
        }
    }
}
