package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.internal.replay.MergedReplay;
import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.upload.RemoteLane;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Replay of a collection of the open WAL, on the caller's thread: what each lane holds of it now (sealed
 * segments, full ones waiting to be sealed, the active one up to its readable limit), merged in sequence
 * order by {@link MergedReplay}, up to the acknowledged watermark at the start. A failed lane the collection
 * moved away from is read only below the sequence it left at.
 */
public final class LiveReplay
{
    /** How long to keep looking while segments move under the reader (an active segment sealed and renamed). */
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private LiveReplay()
    {
    }

    /**
     * Replay {@code collection} from {@code fromSequence} up to its acknowledged watermark now.
     */
    public static WalReplay open(final Lane[] lanes, final CollectionState collection, final long fromSequence,
        final OpenGate gate)
    {
        gate.checkOpen();
        final long max = collection.acknowledgedSequence();
        final long deadline = System.nanoTime() + SETTLE_NANOS;
        while (true)
        {
            final List<SegmentRef> refs = new ArrayList<>();
            for (final Lane lane : lanes)
            {
                final LaneCollection lc = collection.laneState(lane.index());
                if (lc != null)
                {
                    segmentRefs(lc, max, refs);
                }
            }
            final List<SegmentRef> missing = new ArrayList<>();
            final MergedReplay replay = new MergedReplay(refs, collection.name(), fromSequence, missing);
            final long checkpoint = collection.checkpointSequence();
            // a sealed segment may vanish under a checkpoint: fine. Anything else moved while we looked
            // (an active segment being sealed and renamed): look again.
            if (missing.stream().allMatch(r -> r.sealed() && r.lastSequence() <= checkpoint))
            {
                return replay;
            }
            replay.close();
            if (System.nanoTime() - deadline >= 0)
            {
                throw new WalException("cannot replay " + collection.name() + ": segments kept moving (" + missing + ")");
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /**
     * @return what a reader may read of {@code collection} in {@code lane} now, with no bound on sequences (a
     *     tail's look: it bounds them itself).
     */
    public static List<SegmentRef> refs(final Lane lane, final CollectionState collection)
    {
        final List<SegmentRef> refs = new ArrayList<>();
        final LaneCollection lc = collection.laneState(lane.index());
        if (lc != null)
        {
            segmentRefs(lc, Long.MAX_VALUE, refs);
        }
        return refs;
    }

    /**
     * Add to {@code refs} what a reader may replay of {@code lc} now. A segment seen twice (it was sealed
     * while this ran) is listed once, as sealed.
     */
    static void segmentRefs(final LaneCollection lc, final long maxSequence, final List<SegmentRef> refs)
    {
        final Lane lane = lc.lane();
        final long movedAway = lc.collection().movedAwayAt(lane.index());
        if (movedAway > 0)
        {
            // the collection left this failed lane: its copies from there on are void
            final List<SegmentRef> kept = new ArrayList<>();
            refsOf(lc, Math.min(maxSequence, movedAway - 1), kept);
            kept.removeIf(r -> r.firstSequence() >= movedAway);
            refs.addAll(kept);
        }
        else
        {
            refsOf(lc, maxSequence, refs);
        }
    }

    private static void refsOf(final LaneCollection lc, final long maxSequence, final List<SegmentRef> refs)
    {
        final Lane lane = lc.lane();
        final Map<Long, SegmentRef> byFirst = new TreeMap<>();
        final ActiveSegment active = lc.activeForReaders();
        if (active != null && active.readableLimit() > 0)
        {
            byFirst.put(active.firstSequence(), new SegmentRef(active.path(), active.firstSequence(), Long.MAX_VALUE,
                active.readableLimit(), maxSequence, false, lane.memory()));
        }
        for (final ActiveSegment waiting : lc.awaitingSealSnapshot())
        {
            byFirst.put(waiting.firstSequence(), new SegmentRef(waiting.path(), waiting.firstSequence(),
                Long.MAX_VALUE, waiting.readableLimit(), maxSequence, false, lane.memory()));
        }
        final RemoteLane remote = lane.remote();
        for (final SealedSegment sealed : lc.sealed().values())
        {
            SegmentRef ref = new SegmentRef(sealed.path(), sealed.firstSequence(), sealed.lastSequence(),
                Long.MAX_VALUE, maxSequence, true, lane.memory());
            if (remote != null)
            {
                ref = ref.inObjectStorage(remote.fileSystem(), lc.collection().name());
            }
            byFirst.put(sealed.firstSequence(), ref);
        }
        refs.addAll(byFirst.values());
    }
}
