package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.segment.SealedSegment;

import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.upload.UploadTarget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One collection as one lane sees it: its directory, the active segment, the sealed segments, and
 * how far the lane has written and forced it. Fields without {@code volatile} belong to the lane thread.
 */
public final class LaneCollection implements UploadTarget
{
    final Lane lane;
    final CollectionState collection;
    final Path directory;

    /** Sealed segments by first sequence; the lane adds, checkpoints remove, replay and stats read. */
    final ConcurrentSkipListMap<Long, SealedSegment> sealed = new ConcurrentSkipListMap<>();
    /** Full segments that wait for other lanes before they may be sealed (collections spread over lanes). */
    final ConcurrentLinkedQueue<ActiveSegment> awaitingSeal = new ConcurrentLinkedQueue<>();
    /** Remote lanes: sealed segments that are in object storage, by first sequence (upload threads add). */
    final ConcurrentSkipListMap<Long, SealedSegment> uploaded = new ConcurrentSkipListMap<>();

    ActiveSegment active;
    /** The active segment for readers (replay, stats); set by the lane thread. */
    volatile ActiveSegment activeForReaders;
    boolean directoryExists;
    long lastWritten;
    long lastDurable;
    boolean inBatch;
    boolean unsynced;

    LaneCollection(final Lane lane, final CollectionState collection, final Path directory, final boolean exists)
    {
        this.lane = lane;
        this.collection = collection;
        this.directory = directory;
        this.directoryExists = exists;
    }

    public CollectionState collection()
    {
        return collection;
    }

    public Path directory()
    {
        return directory;
    }

    public Lane lane()
    {
        return lane;
    }

    /**
     * @return the sealed segments, by first sequence (a live concurrent view).
     */
    public ConcurrentSkipListMap<Long, SealedSegment> sealed()
    {
        return sealed;
    }

    /**
     * @return for a remote lane, the sealed segments known to be in object storage (a live concurrent view).
     */
    public ConcurrentSkipListMap<Long, SealedSegment> uploaded()
    {
        return uploaded;
    }

    /**
     * @return the active segment as published to readers, or null.
     */
    public ActiveSegment activeForReaders()
    {
        return activeForReaders;
    }

    /**
     * @return segments that are full but wait to be sealed (readers may iterate it).
     */
    public List<ActiveSegment> awaitingSealSnapshot()
    {
        return new ArrayList<>(awaitingSeal);
    }

    @Override
    public String collectionName()
    {
        return collection.name();
    }

    @Override
    public boolean holds(final SealedSegment segment)
    {
        return sealed.containsKey(segment.firstSequence());
    }

    @Override
    public void recordUploaded(final SealedSegment segment)
    {
        uploaded.put(segment.firstSequence(), segment);
    }

    @Override
    public void forgetUploaded(final SealedSegment segment)
    {
        uploaded.remove(segment.firstSequence());
    }

    @Override
    public void remoteAdvanced()
    {
        synchronized (this)
        {
            final long mark = uploadedPrefix();
            if (mark > 0)
            {
                collection.laneRemote(lane.index(), mark);
            }
        }
        collection.completeDeferredAcks();
    }

    /**
     * @return the highest sequence such that it and every earlier sealed segment of this collection in this
     *     lane are in object storage, counting everything at or below the checkpoint as done (its segments may be
     *     deleted already: after an open under {@code ack = "remote"} the watermark began at 0 until a staged
     *     segment above the checkpoint was uploaded).
     */
    public long uploadedPrefix()
    {
        long mark = collection.checkpointSequence();
        for (final SealedSegment s : sealed.values())
        {
            if (s.lastSequence() <= mark)
            {
                continue;
            }
            if (!uploaded.containsKey(s.firstSequence()))
            {
                break;
            }
            mark = s.lastSequence();
        }
        return mark;
    }
}
