package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.EventHandler;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.EntryEncoder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The lane thread: encodes each entry into its collection's active segment as the Disruptor hands it
 * over, and at the end of each batch commits the group — closes one block per collection touched,
 * forces those files concurrently ({@code PerBatch}), publishes the watermarks and completes the
 * futures of the batch. Everything the producers published while the previous batch was being forced
 * is the next batch: the ring is what lets group commit grow with load.
 *
 * <p>An I/O failure fails the lane: the batch's entries that were not yet acknowledged fail, and so
 * does every later one. Nothing is retried after a failed fsync (its outcome is unknowable); reopening
 * the WAL runs recovery, which keeps everything that really reached the disk.
 */
final class BatchWriter implements EventHandler<EntrySlot>
{
    private final Lane lane;
    private final SegmentManager segments;
    private final Sealing sealing;
    private final ParallelForcer forcer;
    private final int laneIndex;
    private final EntryEncoder encoder;
    private final SyncMode syncMode;
    private final long memoryFlushSize;
    private final long flushIntervalNanos;
    private final long segmentMaxAgeNanos;

    /** Collections touched by the current batch. */
    private final List<LaneCollection> batch = new ArrayList<>();
    /** Collections written but not yet forced ({@code Periodic}). */
    private final List<LaneCollection> unsynced = new ArrayList<>();
    private ActiveSegment[] toForce = new ActiveSegment[16];
    private final LaneMetrics metrics;
    private long batchStart = -1;
    /** {@link System#nanoTime()} when the lane thread took the batch's first slot. */
    private long batchStartNanos;
    private int batchEntries;
    /** {@link EntrySlot#appendedNanos} of the batch's first entry. */
    private long oldestAppendedNanos;
    private long batchEncoded;
    /** Time the batch spent writing (and forcing) blocks in its middle, and the writing part of it. */
    private long batchInline;
    private long batchInlineWrite;
    private long batchBytes;
    private int batchFutures;
    private boolean tickSeen;
    private long nextPeriodicSync;

    BatchWriter(final Lane lane, final SegmentManager segments, final Sealing sealing, final ParallelForcer forcer,
        final long writerId, final WalOptions options)
    {
        this.lane = lane;
        this.laneIndex = lane.index();
        this.segments = segments;
        this.sealing = sealing;
        this.forcer = forcer;
        this.encoder = new EntryEncoder(writerId);
        this.syncMode = options.syncMode();
        this.memoryFlushSize = options.memoryFlushSizeBytes();
        this.flushIntervalNanos = options.flushIntervalMs() * 1_000_000L;
        this.segmentMaxAgeNanos = options.segmentMaxAgeMs() * 1_000_000L;
        this.nextPeriodicSync = System.nanoTime() + flushIntervalNanos;
        this.metrics = lane.metrics();
    }

    @Override
    public void onEvent(final EntrySlot slot, final long sequence, final boolean endOfBatch)
    {
        if (batchStart < 0)
        {
            batchStart = sequence;
            batchStartNanos = System.nanoTime();
        }
        if (slot.kind == EntrySlot.ENTRY)
        {
            if (batchEntries++ == 0)
            {
                oldestAppendedNanos = slot.appendedNanos;    // the batch's oldest entry: its times are the batch's
            }
            batchBytes += slot.encodedBound;
            slot.globalSequence = lane.globalSequence(sequence);
            if (slot.future != null)
            {
                batchFutures++;
            }
            if (lane.failure() == null)
            {
                try
                {
                    write(slot);
                }
                catch (final Throwable t)
                {
                    lane.fail("writing " + slot.collection.name() + "#" + slot.sequence, t);
                }
            }
        }
        else if (slot.kind == EntrySlot.TICK)
        {
            tickSeen = true;
        }
        else if (slot.kind == EntrySlot.ABORTED && lane.failure() == null)
        {
            // a producer took a sequence and a slot, then could not fill it: that sequence can never be
            // written, so nothing after it in its collection may ever be acknowledged
            lane.fail("skipping ring slot " + sequence, new java.io.IOException(
                "a producer failed to copy its entry into the ring after taking a sequence"));
        }
        if (endOfBatch)
        {
            endBatch(sequence);
        }
    }

    private void write(final EntrySlot slot) throws IOException
    {
        final LaneCollection lc = lane.collectionFor(slot.collection);
        ActiveSegment segment = lc.active;
        if (segment == null)
        {
            segment = segments.open(lc, slot.sequence);
        }
        if (!segment.append(slot, encoder))
        {
            sealing.finish(lc);
            segment = segments.open(lc, slot.sequence);
            if (!segment.append(slot, encoder))
            {
                throw new IOException("an entry of up to " + slot.encodedBound + " bytes does not fit an empty segment");
            }
        }
        batchEncoded += segment.lastEncodedLength();
        slot.shrink();
        lc.lastWritten = slot.sequence;
        if (!lc.inBatch)
        {
            lc.inBatch = true;
            batch.add(lc);
        }
        if (syncMode == SyncMode.Always)
        {
            final long t0 = System.nanoTime();
            segment.closeBlock();
            final long t1 = System.nanoTime();
            segment.force();
            inline(t0, t1, System.nanoTime(), true);
            segment.forced();
            durable(lc);
        }
        else if (segment.openBlockBytes() >= memoryFlushSize)
        {
            final long t0 = System.nanoTime();
            segment.closeBlock();
            final long t1 = System.nanoTime();
            if (syncMode == SyncMode.PerBatch)
            {
                segment.force();
                inline(t0, t1, System.nanoTime(), true);
                segment.forced();
                durable(lc);
            }
            else
            {
                inline(t0, t1, t1, false);
            }
        }
    }

    /**
     * A block written (and forced) in the middle of a batch ({@code Always}, or {@code memory_flush_size_bytes}):
     * its write counts as the batch's write and its force as an fsync, not as encoding.
     */
    private void inline(final long started, final long written, final long forced, final boolean synced)
    {
        batchInlineWrite += written - started;
        batchInline += forced - started;
        if (synced)
        {
            metrics.sync(forced - written);
        }
    }

    private void durable(final LaneCollection lc)
    {
        lc.lastDurable = lc.lastWritten;
        lc.unsynced = false;
        if (lc.active != null)
        {
            lc.active.publishReadable();
        }
        lc.collection.laneDurable(laneIndex, lc.lastWritten);
    }

    private void written(final LaneCollection lc)
    {
        if (lc.active != null)
        {
            lc.active.publishReadable();
        }
        lc.collection.laneWritten(laneIndex, lc.lastWritten);
        if (!lc.unsynced && lc.lastDurable < lc.lastWritten)
        {
            lc.unsynced = true;
            unsynced.add(lc);
        }
    }

    private void endBatch(final long endSequence)
    {
        lane.applyRequestedFailure();
        if (lane.failure() == null)
        {
            try
            {
                final long encoded = System.nanoTime();
                final long written = commitBatch();
                final long committed = System.nanoTime();
                if (batchEntries > 0)
                {
                    metrics.batch(batchEntries, batchEncoded, batchStartNanos - oldestAppendedNanos,
                        encoded - batchStartNanos - batchInline, written - encoded + batchInlineWrite,
                        committed - oldestAppendedNanos);
                }
                if (tickSeen)
                {
                    onTick();
                }
                if (sealing.hasAwaiting())
                {
                    sealing.sealAwaiting();
                }
            }
            catch (final Throwable t)
            {
                lane.fail("committing a batch", t);
            }
        }
        lane.batchDone(batchBytes);
        if (batchFutures > 0)
        {
            completeFutures(batchStart, endSequence);
        }
        for (int i = 0, n = batch.size(); i < n; i++)
        {
            final LaneCollection lc = batch.get(i);
            lc.inBatch = false;
            lc.collection.completeDeferredAcks();
        }
        batch.clear();
        batchStart = -1;
        batchEntries = 0;
        batchEncoded = 0;
        batchInline = 0;
        batchInlineWrite = 0;
        batchBytes = 0;
        batchFutures = 0;
        tickSeen = false;
    }

    /**
     * @return {@link System#nanoTime()} once the batch's blocks are written (closed), before any force.
     */
    private long commitBatch() throws IOException
    {
        final int n = batch.size();
        for (int i = 0; i < n; i++)
        {
            final ActiveSegment segment = batch.get(i).active;
            if (segment != null)
            {
                segment.closeBlock();
            }
        }
        final long written = System.nanoTime();
        switch (syncMode)
        {
            case Always:
            case PerBatch:
                forceAll(batch);
                for (int i = 0; i < n; i++)
                {
                    durable(batch.get(i));
                }
                break;
            case Periodic:
                for (int i = 0; i < n; i++)
                {
                    written(batch.get(i));
                }
                if (System.nanoTime() - nextPeriodicSync >= 0)
                {
                    syncUnsynced();
                }
                break;
            case Never:
            case MemoryOnly:
            default:
                for (int i = 0; i < n; i++)
                {
                    written(batch.get(i));
                }
                break;
        }
        return written;
    }

    private void forceAll(final List<LaneCollection> collections) throws IOException
    {
        int count = 0;
        for (int i = 0, n = collections.size(); i < n; i++)
        {
            final ActiveSegment segment = collections.get(i).active;
            if (segment != null && segment.durablePosition() < segment.writePosition())
            {
                if (count == toForce.length)
                {
                    toForce = java.util.Arrays.copyOf(toForce, count * 2);
                }
                toForce[count++] = segment;
            }
        }
        if (count > 0)
        {
            final long t0 = System.nanoTime();
            forcer.forceAll(toForce, count);
            metrics.sync(System.nanoTime() - t0);
        }
        for (int i = 0; i < count; i++)
        {
            toForce[i].forced();
            toForce[i] = null;
        }
    }

    /**
     * {@code Periodic}: force every collection written since the last sync.
     */
    private void syncUnsynced() throws IOException
    {
        nextPeriodicSync = System.nanoTime() + flushIntervalNanos;
        forceAll(unsynced);
        for (int i = 0, n = unsynced.size(); i < n; i++)
        {
            durable(unsynced.get(i));
        }
        unsynced.clear();
    }

    private void onTick() throws IOException
    {
        segments.tick(System.nanoTime());    // staging buffers not needed lately are freed
        if (syncMode == SyncMode.Periodic && System.nanoTime() - nextPeriodicSync >= 0)
        {
            syncUnsynced();
        }
        if (segmentMaxAgeNanos > 0)
        {
            final long now = System.nanoTime();
            final List<LaneCollection> all = lane.collections();
            for (int i = 0, n = all.size(); i < n; i++)
            {
                final LaneCollection lc = all.get(i);
                final ActiveSegment segment = lc.active;
                if (segment != null && segment.entryCount() > 0 && now - segment.createdNanos() >= segmentMaxAgeNanos)
                {
                    sealing.finish(lc);
                }
            }
        }
    }

    private void completeFutures(final long from, final long to)
    {
        final Throwable failure = lane.failure();
        for (long s = from; s <= to; s++)
        {
            final EntrySlot slot = lane.ring().get(s);
            final CompletableFuture<Long> future = slot.future;
            if (slot.kind != EntrySlot.ENTRY || future == null)
            {
                continue;
            }
            slot.future = null;
            final CollectionState collection = slot.collection;
            if (collection.acknowledgedSequence() >= slot.sequence && !voidedByMove(collection, slot.sequence))
            {
                future.complete(slot.sequence);
            }
            else if (failure != null)
            {
                future.completeExceptionally(failure);
            }
            else
            {
                final WalException blocker = FailedLanes.failureHolding(lane.peers(), collection);
                if (blocker != null)
                {
                    future.completeExceptionally(blocker);
                }
                else
                {
                    collection.deferAck(slot.sequence, future);
                    final WalException late = FailedLanes.failureHolding(lane.peers(), collection);
                    if (late != null)
                    {
                        collection.failDeferredAcks(late);   // the blocking lane failed meanwhile, after failing what it saw
                    }
                }
            }
        }
    }

    /**
     * @return whether the collection moved off this (failed) lane at or below {@code sequence}: the watermark
     *     then counts another entry under that sequence, given again on the new lane; this one is void. Read
     *     after the watermark: a move after that read found this entry durable, or it failed it.
     */
    private boolean voidedByMove(final CollectionState collection, final long sequence)
    {
        final long moved = collection.movedAwayAt(lane.index());
        return moved > 0 && sequence >= moved;
    }

    /**
     * The lane thread has stopped; make everything written durable (close, first phase).
     */
    void forceEverything() throws IOException
    {
        sealing.checkBackgroundForces();    // Never: what is being forced counts as durable below only once forced
        final List<LaneCollection> all = lane.collections();
        for (final LaneCollection lc : all)
        {
            if (lc.active != null)
            {
                lc.active.closeBlock();
            }
        }
        forceAll(all);
        for (final LaneCollection lc : all)
        {
            if (lc.lastWritten > 0)
            {
                durable(lc);
            }
        }
        unsynced.clear();
    }

    @Override
    public void onStart()
    {
        lane.laneThreadStarted();
    }

    @Override
    public void onShutdown()
    {
        lane.laneThreadStopped();
    }
}
