package dev.spindle.wal.internal.replay;

import dev.spindle.wal.WalException;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Replays one collection from several segments (of one or more lanes) as one stream ordered by
 * sequence: a k-way merge over one {@link SegmentCursor} per segment. A sequence seen twice (a copy
 * left by an interrupted seal) is returned once.
 */
public final class MergedReplay implements WalReplay
{
    private final PriorityQueue<SegmentCursor> queue =
        new PriorityQueue<>(Comparator.comparingLong(c -> c.current().sequence()));
    private final List<SegmentCursor> all = new ArrayList<>();
    private long lastReturned = Long.MIN_VALUE;

    /**
     * @param refs the segments; ones whose file no longer exists are skipped (see {@link #missing}).
     */
    public MergedReplay(final List<SegmentRef> refs, final String collection, final long fromSequence,
        final List<SegmentRef> missing)
    {
        try
        {
            for (final SegmentRef ref : refs)
            {
                if (ref.maxSequence() < fromSequence || ref.lastSequence() < fromSequence)
                {
                    continue;    // nothing wanted in it (a sealed segment's name tells its last sequence)
                }
                final SegmentCursor cursor = new SegmentCursor(ref, collection, fromSequence);
                if (!cursor.open())
                {
                    if (missing != null)
                    {
                        missing.add(ref);
                    }
                    continue;
                }
                all.add(cursor);
                if (!cursor.exhausted())
                {
                    queue.add(cursor);
                }
            }
        }
        catch (final IOException ex)
        {
            close();
            throw new WalException("cannot replay " + collection + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    @Override
    public boolean hasNext()
    {
        while (!queue.isEmpty() && queue.peek().current().sequence() <= lastReturned)
        {
            step(queue.poll());
        }
        return !queue.isEmpty();
    }

    @Override
    public WalRecord next()
    {
        if (!hasNext())
        {
            throw new NoSuchElementException();
        }
        final SegmentCursor cursor = queue.poll();
        final WalRecord record = cursor.current();
        lastReturned = record.sequence();
        step(cursor);
        return record;
    }

    private void step(final SegmentCursor cursor)
    {
        try
        {
            cursor.advance();
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException ex)    // CorruptSegmentException, a segment recycled under the reader
        {
            close();
            throw ex;
        }
        if (!cursor.exhausted())
        {
            queue.add(cursor);
        }
    }

    @Override
    public void close()
    {
        for (final SegmentCursor cursor : all)
        {
            try
            {
                cursor.close();
            }
            catch (final IOException ignore)
            {
                // closing a read-only file
            }
        }
        queue.clear();
    }
}
