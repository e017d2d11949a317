package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;
import dev.spindle.wal.WalStats;
import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.SegmentTally;
import dev.spindle.wal.internal.upload.RemoteLane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * {@link WalStats} of the open WAL, read on the caller's thread from what lanes publish to readers: sealed
 * segments, segments waiting to be sealed, the active segment's readable limit, watermarks, upload counters.
 */
public final class LiveStats
{
    private LiveStats()
    {
    }

    /**
     * @param memoryOnly {@code sync_mode = MemoryOnly}: durable watermarks are reported as 0.
     */
    public static WalStats of(final Lane[] lanes, final Collection<CollectionState> collections,
        final boolean memoryOnly)
    {
        final TreeMap<String, CollectionState> byName = new TreeMap<>();
        collections.forEach(c -> byName.put(c.name(), c));
        final List<WalStats.LaneStats> laneStats = new ArrayList<>();
        for (final Lane lane : lanes)
        {
            final List<WalStats.CollectionStats> list = new ArrayList<>();
            for (final CollectionState c : byName.values())
            {
                final LaneCollection lc = c.laneState(lane.index());
                if (lc != null)
                {
                    list.add(collection(lane, c, lc, memoryOnly));
                }
            }
            final WalException failure = lane.failure();
            laneStats.add(new WalStats.LaneStats(lane.index(), lane.url(), lane.root().toString(),
                failure == null ? null : failure.getMessage(), lane.inFlightBytes(), list, upload(lane.remote())));
        }
        return new WalStats(laneStats);
    }

    private static WalStats.CollectionStats collection(final Lane lane, final CollectionState c,
        final LaneCollection lc, final boolean memoryOnly)
    {
        final SegmentTally tally = new SegmentTally();
        lc.sealed().values().forEach(tally::sealed);
        final List<ActiveSegment> open = new ArrayList<>(lc.awaitingSealSnapshot());
        if (lc.activeForReaders() != null)
        {
            open.add(lc.activeForReaders());
        }
        open.forEach(a -> tally.open(a.firstSequence(), a.readableLimit()));
        return new WalStats.CollectionStats(c.name(), tally.sealedCount(), tally.openCount(), tally.bytes(),
            tally.firstSequence(),
            c.laneDurableSequence(lane.index()), c.acknowledgedSequence(), memoryOnly ? 0 : c.durableSequence(),
            c.checkpointSequence(), memoryOnly ? 0 : c.remoteDurableSequence(), lc.uploaded().size());
    }

    private static WalStats.UploadStats upload(final RemoteLane remote)
    {
        if (remote == null)
        {
            return null;
        }
        final long[] lag = remote.lagPercentiles();
        return new WalStats.UploadStats(remote.pendingSegments(), remote.pendingBytes(), remote.oldestPendingMs(),
            remote.uploadedSegments(), remote.uploadedBytes(), remote.failedAttempts(), lag[0], lag[1],
            remote.lastError(), remote.fence() == null ? 0 : remote.fence().epoch());
    }
}
