package dev.spindle.wal.internal.tail;

import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.lane.LiveReplay;
import dev.spindle.wal.internal.lane.WatermarkWaits;
import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.segment.MoveRules;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A collection of the WAL open in this process: the lanes' own account of their segments (no listing), up to
 * the acknowledged watermark, woken by the writer when the watermark moves.
 */
final class LiveSource implements TailSource
{
    private static final MoveRules NO_MOVES = new MoveRules();    // the lanes' refs leave void copies out

    private final Lane[] lanes;
    private final CollectionState collection;
    private final WatermarkWaits waits;
    private final List<List<SegmentRef>> refs = new ArrayList<>();
    private volatile Thread waiting;

    LiveSource(final Lane[] lanes, final CollectionState collection, final WatermarkWaits waits)
    {
        this.lanes = lanes;
        this.collection = collection;
        this.waits = waits;
        for (int i = 0; i < lanes.length; i++)
        {
            refs.add(List.of());
        }
    }

    @Override
    public int lanes()
    {
        return lanes.length;
    }

    @Override
    public void look()
    {
        for (int i = 0; i < lanes.length; i++)
        {
            refs.set(i, LiveReplay.refs(lanes[i], collection));
        }
    }

    @Override
    public List<SegmentRef> refs(final int lane)
    {
        return refs.get(lane);
    }

    @Override
    public MoveRules moves()
    {
        return NO_MOVES;
    }

    @Override
    public long checkpoint()
    {
        return collection.checkpointSequence();
    }

    @Override
    public long limit()
    {
        return collection.acknowledgedSequence();
    }

    @Override
    public void await(final long next, final long nanos)
    {
        waiting = Thread.currentThread();
        try
        {
            if (collection.acknowledgedSequence() >= next)
            {
                // acknowledged but not delivered (a hole waiting for its second look, a segment not yet
                // published): the watermark will not move for it, so look again after a while, not at once
                LockSupport.parkNanos(this, nanos);
            }
            else
            {
                waits.awaitTail(collection, next, nanos);
            }
        }
        finally
        {
            waiting = null;
        }
    }

    @Override
    public void wake()
    {
        final Thread t = waiting;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void close()
    {
        // the lanes belong to the WAL
    }
}
