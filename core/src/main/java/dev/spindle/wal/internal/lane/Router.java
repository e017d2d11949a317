package dev.spindle.wal.internal.lane;

import dev.spindle.fs.Directories;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.WalException;
import dev.spindle.wal.internal.segment.MoveRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *
 * <p>A failed lane is skipped by every strategy. With affinity, a collection whose lane failed moves to a healthy
 * local lane at its next append ({@link #move}); without affinity the strategy simply picks among healthy lanes
 * (a collection with an unacknowledged entry on the failed lane still fails: its sequence has a hole).
 */
public final class Router
{
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

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

    /**
     * The lane {@link #laneFor} gave has failed (the appender looked): with affinity, move the collection
     * ({@link #move}); without, the strategy skips failed lanes already.
     *
     * @return the lane for the entry now.
     */
    public int laneAfterFailure(final CollectionState collection)
    {
        return affinity && lanes.length > 1 ? place(collection) : laneFor(collection);
    }

    private synchronized int place(final CollectionState collection)
    {
        int lane = collection.assignedLane();
        if (lane < 0)
        {
            lane = pick(collection);
            collection.assignLane(lane);
            assigned.incrementAndGet(lane);
        }
        else if (lanes[lane].failure() != null)
        {
            lane = move(collection, lane);
        }
        return lane;
    }

    private int pick(final CollectionState collection)
    {
        return strategy == DistributionStrategy.LoadBalanced ? fewestCollections() : choose(collection);
    }

    /**
     * The collection's lane failed: move it to the healthy lane the strategy picks. Its next sequence follows what
     * the failed lane made durable; a move record in the new lane's collection directory, durable before that
     * lane takes any entry, tells recovery and every reader that the failed lane's copies from there on are void.
     * Only local lanes move (a remote lane's staging and uploads would need the record in object storage too).
     * Runs once per collection and failure, under this router's lock; other appends of the collection wait here.
     *
     * @return the new lane.
     * @throws WalException when no lane can take the collection, or the record cannot be written (the next
     *     append tries again).
     */
    private int move(final CollectionState collection, final int from)
    {
        final Lane failed = lanes[from];
        if (failed.remote() != null || failed.memory() != null)
        {
            throw new WalException("collection " + collection.name() + ": its " + failed + " failed; a collection " +
                "of a failed remote or MemoryOnly lane is not moved to another lane; reopen the WAL",
                failed.failure());
        }
        int to = pick(collection);
        if (!movable(to))
        {
            to = -1;
            for (int i = 0; i < lanes.length && to < 0; i++)
            {
                to = movable(i) ? i : -1;
            }
        }
        if (to < 0)
        {
            throw new WalException("collection " + collection.name() + ": its " + failed + " failed and no healthy " +
                "local lane can take it; reopen the WAL", failed.failure());
        }
        final long resume;
        collection.lock();
        try
        {
            resume = collection.durableBeforeMove(from) + 1;
        }
        finally
        {
            collection.unlock();
        }
        final Lane target = lanes[to];
        final Path dir = target.root().resolve(collection.name());
        try
        {
            if (Files.isSymbolicLink(dir))
            {
                throw new IOException(dir + " is a symbolic link: Spindle never follows links in its lanes");
            }
            Directories.create(dir);
            MoveRecord.write(dir, resume, target.writerId(), failed.url());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new WalException("collection " + collection.name() + ": its " + failed + " failed; cannot move " +
                "it to " + target + ": " + ex.getMessage(), ex);
        }
        collection.lock();
        try
        {
            collection.moveAway(from, resume);
        }
        finally
        {
            collection.unlock();
        }
        collection.assignLane(to);
        assigned.decrementAndGet(from);
        assigned.incrementAndGet(to);
        LOG.warn("collection {} moved from {} to {} at sequence {} ({}); entries of {} from {} on are void",
            collection.name(), failed, target, resume, dir.resolve(MoveRecord.name(resume, target.writerId())),
            failed, resume);
        return to;
    }

    private boolean movable(final int lane)
    {
        return lane >= 0 && lanes[lane].failure() == null && lanes[lane].remote() == null &&
            lanes[lane].memory() == null;
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
                return healthy(Integer.remainderUnsigned(collection.stableHash(), lanes.length));
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
