package dev.spindle.wal.internal.lane;

import dev.spindle.wal.Entry;
import dev.spindle.wal.internal.segment.StagedEntry;

import java.util.concurrent.CompletableFuture;

/**
 * One preallocated slot of a lane's Disruptor ring. A producer {@link #copy copies} an {@link Entry} into
 * it; the lane's batch writer encodes it into a segment and completes its future. A slot is also how other
 * threads hand the lane thread work: a timer tick.
 */
public final class EntrySlot extends StagedEntry
{
    /** An entry to write. */
    public static final int ENTRY = 0;
    /** A timer tick: periodic fsync, segment age, deferred seals, failures handed over. Carries no entry. */
    public static final int TICK = 1;
    /** A slot claimed by a producer that then failed before filling it; the lane fails. */
    public static final int ABORTED = 2;

    public int kind;
    public CollectionState collection;
    /** Completed when the entry is acknowledged; null for the zero-allocation path. */
    public CompletableFuture<Long> future;
    /** {@link System#nanoTime()} when the producer copied the entry in: where the lane's timings start. */
    public long appendedNanos;

    /**
     * Copy everything of {@code entry} into this slot. Never fails for an entry that passed
     * {@link #encodedBound}, except by running out of memory. The global sequence is the lane thread's to give
     * ({@link Lane#globalSequence}), so no producer writes a counter shared with other lanes.
     */
    public void copy(
        final Entry entry,
        final CollectionState collection,
        final long sequence,
        final long nowMicros,
        final int encodedBound,
        final CompletableFuture<Long> future)
    {
        this.kind = ENTRY;
        this.appendedNanos = System.nanoTime();
        if (this.collection != collection)     // stored only when it changes: see StagedEntry
        {
            this.collection = collection;
        }
        if (this.future != future)
        {
            this.future = future;
        }
        stage(entry, collection.nameUtf8(), sequence, 0, nowMicros, encodedBound);
    }

    /**
     * Make the slot a timer tick.
     */
    public void tick()
    {
        kind = TICK;
        collection = null;
        future = null;
    }
}
