package dev.spindle.wal.internal.lane;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.internal.lane.CollectionState;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks the lane for an append. With {@code collection_affinity} a collection is given a lane once
 * (by the strategy) and keeps it; the assignment survives restarts because the collection's directory
 * lives in that lane and recovery finds it there. Without affinity the strategy picks per append.
 *
 * <p>{@code LoadBalanced} with affinity places a new collection on the healthy lane that holds the fewest
 * collections, then the fewest bytes in flight, then the fewest bytes stored (Kafka places partitions by
 * their count per log directory the same way): 4 new collections over 2 lanes always go 2/2. Placing is
 * serialised on the router, so concurrent first appends see each other's choice; it runs once per
 * collection, never on the steady-state path.
 */
public final class Router
{
    private final Lane[] lanes;
    private final DistributionStrategy strategy;
    private final boolean affinity;
    private final AtomicLong next = new AtomicLong();
    /** Collections assigned to each lane (affinity), recovered ones included. */
    private final AtomicIntegerArray assigned;

    public Router(final Lane[] lanes, final DistributionStrategy strategy, final boolean affinity)
    {
        this.lanes = lanes;
        this.strategy = strategy;
        this.affinity = affinity;
        this.assigned = new AtomicIntegerArray(lanes.length);
    }

    /**
     * Recovery found {@code collection} on {@code lane} (before the first append): it stays there.
     */
    public synchronized void adopt(final CollectionState collection, final int lane)
    {
        collection.assignLane(lane);
        assigned.incrementAndGet(lane);
    }

    /**
     * @return the collections assigned to {@code lane} so far (affinity).
     */
    int assignedTo(final int lane)
    {
        return assigned.get(lane);
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
        final int lane = collection.assignedLane();
        return lane >= 0 ? lane : place(collection);
    }

    private synchronized int place(final CollectionState collection)
    {
        int lane = collection.assignedLane();
        if (lane < 0)
        {
            lane = strategy == DistributionStrategy.LoadBalanced ? fewestCollections() : choose(collection);
            collection.assignLane(lane);
            assigned.incrementAndGet(lane);
        }
        return lane;
    }

    private int fewestCollections()
    {
        int best = -1;
        final int start = (int)Math.floorMod(next.getAndIncrement(), (long)lanes.length);
        for (int i = 0; i < lanes.length; i++)
        {
            final int lane = (start + i) % lanes.length;
            if (lanes[lane].failure() != null)
            {
                continue;
            }
            if (best < 0 || lighter(lane, best))
            {
                best = lane;
            }
        }
        return best < 0 ? start : best;
    }

    /** Fewer collections, then fewer bytes in flight, then fewer bytes stored. */
    private boolean lighter(final int a, final int b)
    {
        final int countA = assigned.get(a);
        final int countB = assigned.get(b);
        if (countA != countB)
        {
            return countA < countB;
        }
        final long inFlightA = lanes[a].inFlightBytes();
        final long inFlightB = lanes[b].inFlightBytes();
        if (inFlightA != inFlightB)
        {
            return inFlightA < inFlightB;
        }
        return lanes[a].storedBytes() < lanes[b].storedBytes();
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
