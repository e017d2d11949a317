package dev.spindle.wal.internal.lane;

import dev.spindle.fs.Directories;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.WalException;
import dev.spindle.wal.internal.remote.FencedException;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.SegmentFormat;
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
 * lane at its next append ({@link #move}); without affinity the strategy simply picks among healthy lanes
 * (a collection with an unacknowledged entry on the failed lane still fails: its sequence has a hole).
 *
 * <p>Which failed lanes a collection leaves: a local lane, whatever failed it; a remote lane only when its staging
 * failed (the lane thread's own I/O there: writing, forcing, sealing), with {@code ack = "local"}, and once the
 * object store confirms that this writer still holds the prefix. Never a remote lane that failed in object storage
 * (fenced by another writer, or another object under a segment's key: {@link Lane#failedInObjectStore}), nor any
 * remote lane with {@code ack = "remote"}, nor a {@code MemoryOnly} lane; their appends fail with the reason.
 */
public final class Router
{
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final Lane[] lanes;
    private final DistributionStrategy strategy;
    private final boolean affinity;
    /** {@code ack = "remote"}: a collection of a failed remote lane is not moved. */
    private final boolean remoteAck;
    private final AtomicLong next = new AtomicLong();
    /** Collections assigned to each lane (affinity), recovered ones included. */
    /** Per collection, a move attempt that failed after its record may have been written (rarely any). */
    private final java.util.Map<CollectionState, Attempt> attempted = new java.util.HashMap<>();
    private final AtomicIntegerArray assigned;

    public Router(final Lane[] lanes, final DistributionStrategy strategy, final boolean affinity)
    {
        this(lanes, strategy, affinity, false);
    }

    /**
     * @param remoteAck {@code ack = "remote"}.
     */
    public Router(final Lane[] lanes, final DistributionStrategy strategy, final boolean affinity,
        final boolean remoteAck)
    {
        this.lanes = lanes;
        this.strategy = strategy;
        this.affinity = affinity;
        this.remoteAck = remoteAck;
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
     * the failed lane made durable; a move record in the new lane's collection directory (a remote lane's: in its
     * staging, and in its bucket before the collection's next segment there), durable before that lane takes any
     * entry, tells recovery and every reader that the failed lane's copies from there on are void. A remote lane's
     * collection moves only when its staging failed ({@link #mayLeave}); then what it made durable is what it
     * sealed or fsync'd in staging, all of it acknowledged under {@code ack = "local"}, and its uploader goes on
     * uploading that (all below the move), so object storage never holds its copies from the move on. Runs once
     * per collection and failure, under this router's lock; other appends of the collection wait here.
     *
     * @return the new lane.
     * @throws WalException when the collection may not leave the failed lane, no lane can take it, or the record
     *     cannot be written (the next append tries again).
     */
    private int move(final CollectionState collection, final int from)
    {
        final Lane failed = lanes[from];
        if (failed.memory() != null)
        {
            throw new WalException("collection " + collection.name() + ": its " + failed + " failed; a collection " +
                "of a failed MemoryOnly lane is not moved to another lane (nothing of it is durable to go on " +
                "after); reopen the WAL", failed.failure());
        }
        if (failed.remote() != null)
        {
            mayLeave(collection, failed);
        }
        int to = retryTarget(collection);
        if (to < 0)
        {
            to = pick(collection);
        }
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
                "lane can take it; reopen the WAL", failed.failure());
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
            attempted.put(collection, new Attempt(to, dir.resolve(MoveRecord.name(resume, target.writerId()))));
            final Path record = MoveRecord.write(dir, resume, target.writerId(), failed.url());
            if (target.remote() != null)
            {
                target.remote().uploadMoveRecord(collection.name(), record);    // before its first segment
            }
            if (failed.remote() != null)
            {
                leave(collection, failed, resume, target);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new WalException("collection " + collection.name() + ": its " + failed + " failed; cannot move " +
                "it to " + target + ": " + ex.getMessage(), ex);
        }
        attempted.remove(collection);
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

    /**
     * A collection of failed remote lane {@code failed} may move only when the lane's staging failed, under
     * {@code ack = "local"}, and while this writer still holds the lane's prefix.
     *
     * @throws WalException saying why it may not.
     */
    private void mayLeave(final CollectionState collection, final Lane failed)
    {
        final WalException why = failed.failure();
        final String its = "collection " + collection.name() + ": its " + failed + " failed";
        if (failed.failedInObjectStore())
        {
            throw new WalException(its + " in object storage (" + why.getMessage() + "); a collection of a remote " +
                "lane moves only when the lane's staging failed, never when " + (fenced(why) ? "another writer " +
                "fenced this one (the fenced writer stops there: going on in another lane would make two writers " +
                "of the collection)" : "the store refused or conflicted") + "; reopen the WAL", why);
        }
        if (remoteAck)
        {
            throw new WalException(its + "; with ack = \"remote\" a collection of a failed remote lane is not moved: " +
                "what is acknowledged is what is in object storage, and segments the lane staged after it may still " +
                "be uploaded, so no sequence after it can be given again; nothing acknowledged is lost (it is in " +
                "object storage); reopen the WAL", why);
        }
        final String fenced;
        try
        {
            fenced = failed.remote().fenced();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new WalException(its + "; cannot tell whether another writer took " + failed.url() + " over (" +
                ex.getMessage() + "), so the collection does not move now; the next append tries again", ex);
        }
        if (fenced != null)
        {
            final WalException refused = new WalException(its + ", and " + fenced + "; a fenced writer's collection " +
                "is not moved to another lane", new FencedException(fenced));
            refused.addSuppressed(why);
            throw refused;
        }
    }

    /**
     * Record in the failed remote lane's store that the collection left it at {@code resume}, then make sure this
     * writer still holds the prefix. Another writer that takes the prefix over after that sees the record and, not
     * having the lane the collection went to, stops instead of going on with it (which would give the sequences
     * this writer acknowledges in the new lane again); one that took it over before is seen here, and the
     * collection does not move.
     */
    private static void leave(final CollectionState collection, final Lane failed, final long resume,
        final Lane target) throws IOException
    {
        final String writer = SegmentFormat.writerIdHex(target.writerId());
        failed.remote().putLeft(collection.name(), resume, writer);
        final String fenced = failed.remote().fenced();
        if (fenced != null)
        {
            final FencedException refused = new FencedException(fenced + "; a fenced writer's collection is not " +
                "moved to another lane");
            try
            {
                failed.remote().deleteLeft(collection.name(), resume, writer);    // it did not leave: the new
            }                                                                     // writer may go on with it
            catch (final IOException ex)
            {
                refused.addSuppressed(ex);
            }
            throw refused;
        }
    }

    /**
     * The target of an earlier attempt to move {@code collection} that failed after its record may have been
     * written: the same lane again, so that no two lanes hold a record of the same move. When that lane cannot
     * take the collection any more, its record is removed first.
     *
     * @return the lane to try, or -1 to pick one.
     * @throws WalException when the earlier record cannot be removed.
     */
    private int retryTarget(final CollectionState collection)
    {
        final Attempt earlier = attempted.get(collection);
        if (earlier == null)
        {
            return -1;
        }
        if (movable(earlier.lane()))
        {
            return earlier.lane();
        }
        try
        {
            Files.deleteIfExists(earlier.record());
            Directories.fsync(earlier.record().getParent());
            if (lanes[earlier.lane()].remote() != null)
            {
                lanes[earlier.lane()].remote().forgetMoveRecord(collection.name(), earlier.record());
            }
        }
        catch (final IOException ex)
        {
            throw new WalException("collection " + collection.name() + ": an earlier attempt to move it left " +
                earlier.record() + ", and that lane failed since; it cannot be removed (" + ex.getMessage() + "), " +
                "so the collection does not move elsewhere (two lanes would claim it); reopen the WAL", ex);
        }
        attempted.remove(collection);
        return -1;
    }

    /** A move attempt that failed after its record may have been written. Under the router's lock. */
    private record Attempt(int lane, Path record)
    {
    }

    /** @return whether {@code failure} was caused by fencing (by type, anywhere in its causes). */
    private static boolean fenced(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof FencedException)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A move may go to a healthy lane that writes files: local, or remote (the record then lies in its staging,
     * and in object storage before the first segment of the collection the lane uploads after it: readers without
     * that staging, and the next open after losing it, still apply it).
     */
    private boolean movable(final int lane)
    {
        return lane >= 0 && lanes[lane].failure() == null && lanes[lane].memory() == null;
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
            // a lane whose disk is slow takes a new collection only when every healthy lane is slow
            if (best < 0 || lanes[best].slow() && !lanes[lane].slow() ||
                lanes[best].slow() == lanes[lane].slow() && lighter(lane, best))
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
