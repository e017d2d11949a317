package dev.spindle.wal.internal.lane;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.internal.lane.CollectionState;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks the lane for an append. With {@code collection_affinity} a collection is given a lane once
 * (by the strategy) and keeps it; the assignment survives restarts because the collection's directory
 * lives in that lane and recovery finds it there. Without affinity the strategy picks per append.
 */
public final class Router
{
    private final Lane[] lanes;
    private final DistributionStrategy strategy;
    private final boolean affinity;
    private final AtomicLong next = new AtomicLong();

    public Router(final Lane[] lanes, final DistributionStrategy strategy, final boolean affinity)
    {
        this.lanes = lanes;
        this.strategy = strategy;
        this.affinity = affinity;
    }

    /**
     * @return the index of the lane for the next entry of {@code collection}.
     */
    public int laneFor(final CollectionState collection)
    {
        if (lanes.length == 1)
        {
            return 0;
        }
        if (!affinity)
        {
            return choose(collection);
        }
        final int assigned = collection.assignedLane();
        if (assigned >= 0)
        {
            return assigned;
        }
        collection.lock();
        try
        {
            int lane = collection.assignedLane();
            if (lane < 0)
            {
                lane = choose(collection);
                collection.assignLane(lane);
            }
            return lane;
        }
        finally
        {
            collection.unlock();
        }
    }

    private int choose(final CollectionState collection)
    {
        switch (strategy)
        {
            case RoundRobin:
                return healthy((int)Math.floorMod(next.getAndIncrement(), (long)lanes.length));
            case Hash:
                return Integer.remainderUnsigned(collection.stableHash(), lanes.length);
            case LoadBalanced:
            default:
                return leastLoaded();
        }
    }

    private int healthy(final int preferred)
    {
        for (int i = 0; i < lanes.length; i++)
        {
            final int lane = (preferred + i) % lanes.length;
            if (lanes[lane].failure() == null)
            {
                return lane;
            }
        }
        return preferred;
    }

    private int leastLoaded()
    {
        int best = -1;
        long bestInFlight = Long.MAX_VALUE;
        long bestStored = Long.MAX_VALUE;
        final int start = (int)Math.floorMod(next.getAndIncrement(), (long)lanes.length);
        for (int i = 0; i < lanes.length; i++)
        {
            final int lane = (start + i) % lanes.length;
            if (lanes[lane].failure() != null)
            {
                continue;
            }
            final long inFlight = lanes[lane].inFlightBytes();
            final long stored = lanes[lane].storedBytes();
            if (inFlight < bestInFlight || (inFlight == bestInFlight && stored < bestStored))
            {
                best = lane;
                bestInFlight = inFlight;
                bestStored = stored;
            }
        }
        return best < 0 ? start : best;
    }
}
