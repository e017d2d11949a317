package dev.spindle.wal.internal.lane;

import dev.spindle.wal.SyncMode;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.upload.RemoteLane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seal policy of one lane: when a full (or old) active segment may become sealed, and what follows.
 * Lane thread only (and the closing thread once the lane thread has stopped).
 *
 * <p>Sealing a full segment forces it first and then seals it ({@link ActiveSegment#seal}, which uses the
 * one {@code Sealer}), unless the collection is spread over several lanes and an earlier sequence is still
 * pending in another lane: then the segment waits (still {@code .open}) until the collection's durable
 * watermark passes its last sequence, so that a sealed segment never holds an entry past a gap. Recovery
 * can then mend gaps by cutting {@code .open} tails alone. A sealed segment of a remote lane is handed to
 * its uploader; one a checkpoint passed while it was active is deleted at once. With {@code sync_mode = Never}
 * the force of a full segment (its first) runs on the lane's {@link BackgroundForcer}; the segment waits
 * like one gated by other lanes, and is sealed (and counts as durable) once forced.
 */
final class Sealing
{
    private static final Logger LOG = LoggerFactory.getLogger(Sealing.class);

    private final int laneIndex;
    private final SyncMode syncMode;
    private final MemoryStore memory;
    private final SegmentManager segments;
    private final Retention retention;
    private final RemoteLane remote;
    private final List<LaneCollection> awaiting = new ArrayList<>();
    private final BackgroundForcer background;
    private final LaneMetrics metrics;
    /** Segments handed to {@link #background}, not yet seen forced. */
    private final Map<ActiveSegment, BackgroundForcer.Pending> forcing = new IdentityHashMap<>();

    /**
     * @param background forces full segments off the lane thread ({@code sync_mode = Never}), or null: forced inline.
     */
    Sealing(final int laneIndex, final SyncMode syncMode, final MemoryStore memory, final SegmentManager segments,
        final Retention retention, final RemoteLane remote, final BackgroundForcer background,
        final LaneMetrics metrics)
    {
        this.metrics = metrics;
        this.background = background;
        this.laneIndex = laneIndex;
        this.syncMode = syncMode;
        this.memory = memory;
        this.segments = segments;
        this.retention = retention;
        this.remote = remote;
    }

    /**
     * The active segment of {@code lc} is full or too old: make it durable, then seal it (or let it
     * wait for other lanes). The caller opens the next one when it has an entry for it.
     */
    void finish(final LaneCollection lc) throws IOException
    {
        final ActiveSegment segment = lc.active;
        if (segment == null)
        {
            return;
        }
        segment.closeBlock();
        if (segment.entryCount() == 0)
        {
            lc.active = null;
            lc.activeForReaders = null;
            segment.discard();
            if (memory != null)
            {
                memory.delete(segment.path());    // an empty MemoryOnly segment: nothing to keep
            }
            return;
        }
        final long started = System.nanoTime();
        if (segment.durablePosition() < segment.writePosition())
        {
            if (background != null)
            {
                // Never: the whole segment is dirty; force it off the lane thread, seal it once forced
                segment.publishReadable();
                forcing.put(segment, background.submit(new BackgroundForcer.Pending(segment)));
                await(lc, segment);
                return;
            }
            segment.force();
            segment.forced();
        }
        segment.publishReadable();
        madeDurable(lc, segment);
        if (lc.awaitingSeal.isEmpty() && sealGate(lc) >= segment.lastSequence())
        {
            // never before an earlier segment still waiting: a lane seals (and uploads, and counts as
            // remote-durable) its segments of a collection in sequence order
            seal(lc, segment);
            metrics.seal(System.nanoTime() - started);
            lc.active = null;
            lc.activeForReaders = null;
        }
        else
        {
            await(lc, segment);
        }
    }

    private void await(final LaneCollection lc, final ActiveSegment segment)
    {
        lc.awaitingSeal.add(segment);
        lc.active = null;
        lc.activeForReaders = null;
        if (!awaiting.contains(lc))
        {
            awaiting.add(lc);
        }
    }

    private void madeDurable(final LaneCollection lc, final ActiveSegment segment)
    {
        lc.lastDurable = Math.max(lc.lastDurable, segment.lastSequence());
        lc.collection.laneDurable(laneIndex, lc.lastDurable);
    }

    /**
     * @return true when {@code segment} is not being forced in the background (any longer); a finished force
     *     counts as durable here.
     */
    private boolean forced(final LaneCollection lc, final ActiveSegment segment) throws IOException
    {
        final BackgroundForcer.Pending pending = forcing.get(segment);
        if (pending == null)
        {
            return true;
        }
        if (!pending.done())
        {
            return false;
        }
        forcing.remove(segment);
        pending.check();
        segment.forced();
        madeDurable(lc, segment);
        return true;
    }

    /**
     * How far a collection must be done, over all its lanes, before a segment ending there may be sealed:
     * durable (so a sealed segment never holds an entry past a sequence a crash could lose); for
     * {@code Never}, which makes entries durable only at seals, written (kill -9 loses no written
     * entry; power loss is the mode's stated risk); for {@code MemoryOnly}, no wait (nothing to recover).
     */
    private long sealGate(final LaneCollection lc)
    {
        switch (syncMode)
        {
            case MemoryOnly:
                return Long.MAX_VALUE;
            case Never:
                return lc.collection.writtenSequence();
            default:
                return lc.collection.durableSequence();
        }
    }

    private void seal(final LaneCollection lc, final ActiveSegment segment) throws IOException
    {
        final Path sealed = segment.seal();
        if (memory != null)
        {
            memory.rename(segment.path(), sealed);
        }
        final SealedSegment done = new SealedSegment(sealed, segment.firstSequence(), segment.lastSequence(),
            segment.writePosition());
        lc.sealed.put(segment.firstSequence(), done);
        if (remote != null)
        {
            remote.enqueue(lc, done);    // never waits
        }
        if (segment.lastSequence() <= lc.collection.checkpointSequence())
        {
            // checkpointed while it was active; lane thread: remote deletes go to the upload threads
            retention.deleteCheckpointed(lc, lc.collection.checkpointSequence(), false);
        }
    }

    /**
     * Seal the waiting segments whose collection's durable watermark has caught up.
     */
    void sealAwaiting() throws IOException
    {
        for (int i = awaiting.size() - 1; i >= 0; i--)
        {
            final LaneCollection lc = awaiting.get(i);
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.peek()) != null && forced(lc, segment) &&
                sealGate(lc) >= segment.lastSequence())
            {
                final long started = System.nanoTime();
                seal(lc, segment);
                metrics.seal(System.nanoTime() - started);    // forced before: truncate, rename, directory fsync
                lc.awaitingSeal.poll();
            }
            if (lc.awaitingSeal.isEmpty())
            {
                awaiting.remove(i);
            }
        }
    }

    private void awaitBackgroundForces()
    {
        for (final BackgroundForcer.Pending pending : forcing.values())
        {
            pending.await();
        }
    }

    /**
     * Close, first phase: wait for the segments being forced in the background, and fail if one could not be.
     */
    void checkBackgroundForces() throws IOException
    {
        for (final BackgroundForcer.Pending pending : forcing.values())
        {
            pending.await();
            pending.check();
        }
    }

    boolean hasAwaiting()
    {
        return !awaiting.isEmpty();
    }

    /**
     * Close: seal everything the gate allows (after every lane forced everything, that is everything,
     * unless a lane failed). A segment past a sequence another lane lost stays {@code .open}: its
     * entries were never acknowledged, and recovery cuts them.
     */
    void sealAll(final List<LaneCollection> collections) throws IOException
    {
        for (final LaneCollection lc : collections)
        {
            finish(lc);
        }
        awaitBackgroundForces();
        sealAwaiting();
        for (final LaneCollection lc : awaiting)
        {
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.poll()) != null)
            {
                LOG.warn("closing: {} stays open (entries {}..{}; the collection is durable only to {}); recovery " +
                    "at the next open handles it", segment.path(), segment.firstSequence(), segment.lastSequence(),
                    sealGate(lc));
                segment.abandon();
            }
        }
        awaiting.clear();
    }

    /**
     * The lane failed: let go of segments waiting to be sealed (the segment manager lets go of active ones).
     */
    void abandonAwaiting()
    {
        awaitBackgroundForces();    // a file being forced is neither closed nor unmapped under the forcer
        forcing.clear();
        for (final LaneCollection lc : awaiting)
        {
            ActiveSegment segment;
            while ((segment = lc.awaitingSeal.poll()) != null)
            {
                segment.abandon();
            }
        }
        awaiting.clear();
    }
}
