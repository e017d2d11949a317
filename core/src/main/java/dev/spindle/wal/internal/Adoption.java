package dev.spindle.wal.internal;

import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.lane.LaneCollection;
import dev.spindle.wal.internal.lane.Router;
import dev.spindle.wal.internal.recovery.CollectionScan;
import dev.spindle.wal.internal.recovery.Recovery;
import dev.spindle.wal.internal.recovery.TailScan;
import dev.spindle.wal.internal.remote.RemoteChannel;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentReader;
import dev.spindle.wal.internal.upload.RemoteLane;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Takes over what recovery found, on the opening thread before any lane starts: repairs the tails, gives each
 * collection its sequences and watermarks, registers its sealed segments with their lanes, deletes what a
 * checkpoint passed, and hands remote lanes' segments that are not in object storage yet to their uploaders.
 * With affinity a collection stays in the lane of its newest entry, or of its newest move record when no entry
 * follows that record.
 */
final class Adoption
{
    /** A staged segment to upload once every collection is adopted. */
    private record PendingUpload(RemoteLane remote, LaneCollection collection, SealedSegment segment)
    {
    }

    private final Lane[] lanes;
    private final List<RemoteListing> listings;
    private final Function<String, CollectionState> newState;
    private final Router router;
    private final boolean affinity;
    private final List<PendingUpload> uploads = new ArrayList<>();

    /**
     * @param listings per lane, what its object store holds, or null for a local lane.
     * @param newState makes the state of a collection.
     * @param router told where each recovered collection lives (affinity).
     */
    Adoption(final Lane[] lanes, final List<RemoteListing> listings, final Function<String, CollectionState> newState,
        final Router router, final boolean affinity)
    {
        this.lanes = lanes;
        this.listings = listings;
        this.newState = newState;
        this.router = router;
        this.affinity = affinity;
    }

    /**
     * @param collections receives every recovered collection by name.
     * @return the highest global sequence found.
     */
    long adopt(final Recovery.Result recovered, final Map<String, CollectionState> collections) throws IOException
    {
        final long maxGlobal = lastGlobalSequence(recovered);
        Recovery.repair(recovered);
        for (final String name : recovered.collectionNames())
        {
            collections.put(name, adopt(name, recovered));
        }
        recordCuts(collections);
        for (final PendingUpload upload : uploads)
        {
            if (upload.collection().holds(upload.segment()))
            {
                // sealed before the last close or crash and not uploaded, or uploaded and still staged: the upload
                // finds the object, compares its bytes with the staged copy, and only then deletes the copy
                upload.remote().enqueue(upload.collection(), upload.segment());
            }
        }
        return maxGlobal;
    }

    /**
     * Each remote lane's writer epoch records what it adopted before it uploads anything (the last sequence of
     * each collection on the lane), and deletes what a fenced writer uploaded beyond the previous cuts.
     */
    private void recordCuts(final Map<String, CollectionState> collections) throws IOException
    {
        for (final Lane lane : lanes)
        {
            final RemoteLane remote = lane.remote();
            if (remote == null || remote.fence() == null)
            {
                continue;
            }
            final Map<String, Long> cuts = new TreeMap<>();
            for (final CollectionState state : collections.values())
            {
                final long last = state.laneDurableSequence(lane.index());
                if (last > 0)
                {
                    cuts.put(state.name(), last);
                }
            }
            remote.fence().recordCuts(cuts);
            remote.deleteStrays(listings.get(lane.index()).strays);
        }
    }

    private CollectionState adopt(final String name, final Recovery.Result recovered) throws IOException
    {
        final CollectionState state = newState.apply(name);
        final long[] lastPerLane = new long[lanes.length];
        final long[] remotePerLane = new long[lanes.length];
        long last = 0;
        long checkpoint = 0;
        int newestLane = -1;
        long movedAt = 0;
        int movedTo = -1;
        for (int l = 0; l < lanes.length; l++)
        {
            final CollectionScan scan = recovered.lanes.get(l).get(name);
            if (scan == null)
            {
                continue;
            }
            for (final MoveRecord move : scan.moves)
            {
                if (move.sequence() > movedAt)
                {
                    movedAt = move.sequence();
                    movedTo = l;
                }
            }
            final LaneCollection lc = lanes[l].register(state);
            lastPerLane[l] = scan.lastSequence();
            lanes[l].recovered(lc, lastPerLane[l], scan.sealed);
            remotePerLane[l] = lastPerLane[l];
            final RemoteLane remote = lanes[l].remote();
            if (remote != null)
            {
                adoptRemote(remote, lc, scan.sealed, listings.get(l).segments.get(name));
                remotePerLane[l] = lc.uploadedPrefix();
                uploadMoveRecords(remote, name, scan.moves, listings.get(l).moves.get(name));
            }
            checkpoint = Math.max(checkpoint, scan.checkpoint);
            if (newestLane < 0 || lastPerLane[l] > lastPerLane[newestLane])
            {
                newestLane = l;
            }
            last = Math.max(last, lastPerLane[l]);
        }
        for (int l = 0; l < lanes.length; l++)
        {
            if (lanes[l].remote() != null)
            {
                remotePerLane[l] = Math.max(remotePerLane[l], checkpoint);    // what a checkpoint passed is done
            }
        }
        state.recovered(Math.max(last, checkpoint), lastPerLane, remotePerLane, checkpoint);
        for (final Lane lane : lanes)
        {
            final LaneCollection lc = state.laneState(lane.index());
            if (lc != null && checkpoint > 0)
            {
                lane.deleteCheckpointed(lc, checkpoint); // sealed after the checkpoint, or a crash between
            }
        }
        if (movedTo >= 0 && lastPerLane[newestLane] < movedAt)
        {
            newestLane = movedTo;    // it moved there and wrote nothing yet: it stays there
        }
        if (affinity && newestLane >= 0)
        {
            router.adopt(state, newestLane);
        }
        return state;
    }

    /**
     * Staged move records not in the store yet (a crash came before the collection's first segment after the move
     * was uploaded) go there before its next segment.
     */
    private static void uploadMoveRecords(final RemoteLane remote, final String collection,
        final List<MoveRecord> found, final List<MoveRecord> inStore)
    {
        for (final MoveRecord move : found)
        {
            final boolean uploaded = inStore != null && inStore.stream()
                .anyMatch(m -> m.file().getFileName().equals(move.file().getFileName()));
            if (!uploaded && Files.isRegularFile(move.file()))
            {
                remote.uploadMoveRecord(collection, move.file());
            }
        }
    }

    /**
     * A segment only in the store is uploaded; one with a staged copy is uploaded (again) later.
     */
    private void adoptRemote(final RemoteLane remote, final LaneCollection lc, final List<SealedSegment> sealed,
        final TreeMap<Long, SealedSegment> inStore)
    {
        for (final SealedSegment s : sealed)
        {
            final SealedSegment remoteCopy = inStore == null ? null : inStore.get(s.firstSequence());
            if (remoteCopy != null && remoteCopy.lastSequence() == s.lastSequence() && !Files.exists(s.path()))
            {
                remote.adoptUploaded(lc, s);
            }
            else
            {
                uploads.add(new PendingUpload(remote, lc, s));
            }
        }
    }

    private long lastGlobalSequence(final Recovery.Result recovered) throws IOException
    {
        long maxGlobal = 0;
        for (int l = 0; l < recovered.lanes.size(); l++)
        {
            for (final CollectionScan scan : recovered.lanes.get(l).values())
            {
                for (final TailScan tail : scan.tails)
                {
                    maxGlobal = Math.max(maxGlobal, tail.lastGlobalSequence());
                }
                SealedSegment newest = null;
                for (final SealedSegment s : scan.sealed)
                {
                    if (newest == null || s.lastSequence() > newest.lastSequence())
                    {
                        newest = s;
                    }
                }
                if (newest != null)
                {
                    maxGlobal = Math.max(maxGlobal, lastGlobalSequence(lanes[l], scan.name, newest));
                }
            }
        }
        return maxGlobal;
    }

    private static long lastGlobalSequence(final Lane lane, final String collection, final SealedSegment segment)
        throws IOException
    {
        final RemoteLane remote = lane.remote();
        if (remote == null || Files.exists(segment.path()))
        {
            return Recovery.lastGlobalSequence(segment);
        }
        try (SegmentReader reader = new SegmentReader(segment.path(), new RemoteChannel(remote.fileSystem(),
            RemoteListing.key(collection, segment.path().getFileName().toString()))))
        {
            return Recovery.lastGlobalSequence(reader);
        }
    }
}
