package dev.spindle.wal;

import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.Watermark;
import dev.spindle.wal.internal.WalEngine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A handle on one collection of an open {@link Wal}: appends, acknowledgements, replay, checkpoints.
 * Cheap to keep and thread-safe; get it once with {@link Wal#collection(String)} to skip the name lookup.
 *
 * <p><b>Acknowledgement.</b> {@link #append(Entry)} returns the entry's sequence at once and allocates
 * nothing; the entry is acknowledged when {@link #acknowledgedSequence()} reaches that sequence, which
 * {@link #awaitAcknowledged(long)} waits for. What "acknowledged" means is the {@link SyncMode}'s: with
 * {@code PerBatch} (the default) or {@code Always}, fsync'd. {@link #appendAsync(Entry)} returns a
 * future instead (one allocation per append); its callbacks run on the lane thread, so keep them short
 * or use the {@code *Async} variants with your executor.
 *
 * <p>Sequences are per collection: 1, 2, 3, ... in append order, across all lanes.
 */
public final class WalCollection
{
    private final WalEngine engine;
    private final CollectionState state;

    WalCollection(final WalEngine engine, final CollectionState state)
    {
        this.engine = engine;
        this.state = state;
    }

    public String name()
    {
        return state.name();
    }

    CollectionState state()
    {
        return state;
    }

    /**
     * Append a copy of {@code entry}. Blocks only for back-pressure (a full ring, or more than
     * {@code global_flush_threshold} bytes in flight). Allocates nothing in steady state.
     *
     * @return the entry's sequence (also left in {@link Entry#sequence()}).
     * @throws IllegalArgumentException when the entry is larger than {@code max_entry_size_bytes}.
     * @throws WalException when the lane has failed or the WAL is closed.
     */
    public long append(final Entry entry)
    {
        final long sequence = engine.append(state, entry, null);
        entry.assignedSequence(sequence);
        return sequence;
    }

    /**
     * Append a copy of {@code entry}; the future completes with its sequence once it is acknowledged,
     * or exceptionally if its lane fails first.
     */
    public CompletableFuture<Long> appendAsync(final Entry entry)
    {
        final CompletableFuture<Long> future = new CompletableFuture<>();
        final long sequence = engine.append(state, entry, future);
        entry.assignedSequence(sequence);
        return future;
    }

    /**
     * @return the highest sequence given out so far (0: none).
     */
    public long lastSequence()
    {
        return state.lastAssigned();
    }

    /**
     * @return the highest sequence that, with every sequence before it, is acknowledged.
     */
    public long acknowledgedSequence()
    {
        return state.acknowledgedSequence();
    }

    /**
     * @return the highest sequence that, with every sequence before it, is on stable storage
     *     (0 with {@code MemoryOnly}).
     */
    public long durableSequence()
    {
        return engine.options().syncMode() == SyncMode.MemoryOnly ? 0 : state.durableSequence();
    }

    public boolean isAcknowledged(final long sequence)
    {
        return state.acknowledgedSequence() >= sequence;
    }

    /**
     * Wait until {@code sequence} is acknowledged. The caller spins briefly, then parks until the thread that moves
     * the watermark wakes it. An interrupt does not end this wait (nor the other waits of this class): the thread's
     * interrupt flag is set again when the call returns or throws.
     *
     * @throws WalException when a lane holding an earlier entry failed, or the WAL closed.
     */
    public void awaitAcknowledged(final long sequence)
    {
        engine.await(state, sequence, Watermark.ACKNOWLEDGED, -1);
    }

    /**
     * @return false when {@code timeout} passed first.
     */
    public boolean awaitAcknowledged(final long sequence, final long timeout, final TimeUnit unit)
    {
        return engine.await(state, sequence, Watermark.ACKNOWLEDGED, unit.toNanos(timeout));
    }

    /**
     * Wait until {@code sequence} is on stable storage (for {@code Periodic} and {@code Never}, later
     * than its acknowledgement).
     */
    public void awaitDurable(final long sequence)
    {
        engine.await(state, sequence, Watermark.DURABLE, -1);
    }

    public boolean awaitDurable(final long sequence, final long timeout, final TimeUnit unit)
    {
        return engine.await(state, sequence, Watermark.DURABLE, unit.toNanos(timeout));
    }

    /**
     * @return the highest sequence that, with every sequence before it, is in its final storage: uploaded to
     *     object storage for entries of remote lanes, durable on disk for entries of local lanes. Equals
     *     {@link #durableSequence()} when every lane is local.
     */
    public long remoteDurableSequence()
    {
        return engine.options().syncMode() == SyncMode.MemoryOnly ? 0 : state.remoteDurableSequence();
    }

    /**
     * Wait until {@code sequence} is remote-durable (see {@link #remoteDurableSequence()}): its segment is sealed
     * (full, or older than {@code segment_max_age_ms}) and uploaded.
     */
    public void awaitRemoteDurable(final long sequence)
    {
        engine.await(state, sequence, Watermark.REMOTE_DURABLE, -1);
    }

    public boolean awaitRemoteDurable(final long sequence, final long timeout, final TimeUnit unit)
    {
        return engine.await(state, sequence, Watermark.REMOTE_DURABLE, unit.toNanos(timeout));
    }

    /**
     * Replay from {@code fromSequence} (inclusive) up to what is acknowledged now, merged across lanes.
     */
    public WalReplay replay(final long fromSequence)
    {
        return engine.replay(state, fromSequence);
    }

    /**
     * Record durably that the caller has flushed everything up to {@code sequence}; sealed segments
     * wholly at or below it are deleted. A checkpoint lower than the current one is ignored.
     *
     * @throws IllegalArgumentException when {@code sequence} is above the acknowledged watermark.
     */
    public void checkpoint(final long sequence)
    {
        engine.checkpoint(state, sequence);
    }

    public long checkpointSequence()
    {
        return state.checkpointSequence();
    }

    @Override
    public String toString()
    {
        return "WalCollection{" + state.name() + ", last=" + state.lastAssigned() +
            ", acknowledged=" + state.acknowledgedSequence() + "}";
    }
}
