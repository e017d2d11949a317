package dev.spindle.wal.internal.lane;

import dev.spindle.fs.Directories;
import dev.spindle.wal.WalException;
import dev.spindle.wal.internal.segment.CheckpointFile;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentPool;
import dev.spindle.wal.internal.upload.RemoteLane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a lane keeps: checkpoints, and the deletion of sealed segments wholly at or below one, locally and in
 * object storage. A local lane with a {@link SegmentPool} moves a freed segment there instead of deleting it. Sealed segments are immutable and the lane thread never writes them, so a checkpoint runs
 * on the caller's thread; the lane thread deletes too (a segment sealed after its checkpoint) but hands
 * remote deletes to the upload threads, since it never waits for the network. The two race for a segment
 * through the sealed map's {@code remove}, which only one wins.
 */
public final class Retention
{
    private final MemoryStore memory;
    private final RemoteLane remote;
    private final AtomicLong storedBytes;
    private final SegmentPool pool;

    /**
     * @param pool where freed segments go to be overwritten later instead of deleted, or null.
     */
    Retention(final MemoryStore memory, final RemoteLane remote, final AtomicLong storedBytes, final SegmentPool pool)
    {
        this.pool = pool;
        this.memory = memory;
        this.remote = remote;
        this.storedBytes = storedBytes;
    }

    /**
     * Record durably that everything of {@code collection} up to {@code sequence} is flushed by the caller, in
     * every lane that holds it, and delete sealed segments wholly at or below it. Any thread but a lane's.
     */
    public static void checkpoint(final Lane[] lanes, final CollectionState collection, final long sequence,
        final OpenGate gate)
    {
        gate.checkOpen();
        final long acknowledged = collection.acknowledgedSequence();
        if (sequence < 0 || sequence > acknowledged)
        {
            throw new IllegalArgumentException("checkpoint " + sequence + " of " + collection.name() +
                " is outside 0.." + acknowledged + " (the acknowledged sequences)");
        }
        synchronized (collection)
        {
            if (sequence <= collection.checkpointSequence())
            {
                return;
            }
            try
            {
                for (final Lane lane : lanes)
                {
                    final LaneCollection lc = collection.laneState(lane.index());
                    if (lc != null)
                    {
                        lane.retention().checkpoint(lc, sequence);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new WalException("cannot checkpoint " + collection.name() + " at " + sequence + ": " +
                    ex.getMessage(), ex);
            }
            collection.checkpointSequence(sequence);
        }
    }

    /**
     * Write {@code lc}'s checkpoint in this lane (and in object storage) and delete its sealed segments wholly
     * at or below it.
     */
    void checkpoint(final LaneCollection lc, final long sequence) throws IOException
    {
        if (memory == null)
        {
            if (!Files.isDirectory(lc.directory()) && remote == null)
            {
                return;
            }
            if (Files.isDirectory(lc.directory()))
            {
                CheckpointFile.write(lc.directory(), sequence);
            }
            if (remote != null)
            {
                remote.writeCheckpoint(lc.collection().name(), sequence);
            }
        }
        deleteCheckpointed(lc, sequence, true);
    }

    /**
     * Delete {@code lc}'s sealed segments wholly at or below {@code sequence}.
     *
     * @param remoteNow delete remote copies on this thread; false on the lane thread, which hands them to the
     *     upload threads instead.
     */
    void deleteCheckpointed(final LaneCollection lc, final long sequence, final boolean remoteNow) throws IOException
    {
        final List<Path> recycled = new ArrayList<>();
        boolean published = false;
        try
        {
            if (release(lc, sequence, remoteNow, recycled) && memory == null && Files.isDirectory(lc.directory()))
            {
                Directories.fsync(lc.directory());
            }
            if (!recycled.isEmpty())
            {
                pool.syncDirectory();
                pool.publish(recycled);    // only now may the lane overwrite them: their moves are durable
            }
            published = true;
        }
        finally
        {
            if (!published && !recycled.isEmpty())
            {
                pool.unpublished(recycled);    // they stay in the pool's directory; the next open takes them up
            }
        }
    }

    /**
     * Delete (or move to the pool, adding them to {@code recycled}) {@code lc}'s sealed segments wholly at or
     * below {@code sequence}.
     *
     * @return true when any went.
     */
    private boolean release(final LaneCollection lc, final long sequence, final boolean remoteNow,
        final List<Path> recycled) throws IOException
    {
        boolean released = false;
        for (final SealedSegment s : lc.sealed().values())
        {
            if (s.lastSequence() > sequence)
            {
                break;
            }
            if (!lc.sealed().remove(s.firstSequence(), s))
            {
                continue; // the lane thread and a checkpoint raced for it
            }
            if (memory != null)
            {
                memory.delete(s.path());
            }
            else
            {
                final Path kept = pool == null ? null : pool.offer(s.path(), s.size());
                if (kept != null)
                {
                    recycled.add(kept);
                }
                else
                {
                    Files.deleteIfExists(s.path());
                }
            }
            if (remote != null && lc.uploaded().containsKey(s.firstSequence()))
            {
                if (remoteNow)
                {
                    remote.deleteRemote(lc, s);
                }
                else
                {
                    remote.deleteRemoteLater(lc, s);
                }
            }
            storedBytes.addAndGet(-s.size());
            released = true;
        }
        return released;
    }
}
