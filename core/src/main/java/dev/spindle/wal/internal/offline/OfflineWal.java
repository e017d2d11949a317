package dev.spindle.wal.internal.offline;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.internal.metrics.StatsFile;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalStats;

import dev.spindle.wal.internal.segment.CollectionNames;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.internal.remote.LaneUrls;
import dev.spindle.wal.internal.remote.RemoteStore;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentTally;
import dev.spindle.wal.internal.recovery.CollectionScan;
import dev.spindle.wal.internal.recovery.Recovery;
import dev.spindle.wal.internal.recovery.TailScan;
import dev.spindle.wal.internal.replay.MergedReplay;
import dev.spindle.wal.internal.replay.SegmentRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * The implementation behind {@link dev.spindle.wal.WalReader}: recovery's scan of every lane (and of what
 * remote lanes hold in object storage), changing nothing, then replay and stats over what it found. Caller's
 * thread only.
 */
public final class OfflineWal implements AutoCloseable
{
    private final List<String> urls;
    private final List<Path> roots;
    private final Recovery.Result scan;
    /** Per lane, the object store of a remote lane, else null. */
    private final WalFileSystem[] remotes;
    private final List<RemoteListing> listings;

    private OfflineWal(final List<String> urls, final List<Path> roots, final Recovery.Result scan,
        final WalFileSystem[] remotes, final List<RemoteListing> listings)
    {
        this.listings = listings;
        this.urls = urls;
        this.roots = roots;
        this.scan = scan;
        this.remotes = remotes;
    }

    /**
     * @throws CorruptSegmentException with {@code recovery_mode = "strict"}, for corruption before a tail.
     */
    public static OfflineWal open(final WalOptions options)
    {
        if (options.syncMode() == SyncMode.MemoryOnly)
        {
            throw new WalException("sync_mode = MemoryOnly keeps no files: there is nothing to read");
        }
        final List<Path> roots = LaneUrls.resolve(options.walUrls(), options.stagingDir());
        final WalFileSystem[] remotes = new WalFileSystem[roots.size()];
        try
        {
            final List<RemoteListing> listings = new ArrayList<>();
            final List<String> notes = new ArrayList<>();
            for (int i = 0; i < roots.size(); i++)
            {
                final String url = options.walUrls().get(i);
                if (LaneUrls.isRemote(url))
                {
                    final RemoteStore.Listed store = RemoteStore.openListed(i, url, options, roots.get(i), notes);
                    remotes[i] = store.fs();
                    listings.add(store.listing());
                }
                else
                {
                    listings.add(null);
                }
            }
            Recovery.Result result;
            try
            {
                result = Recovery.scan(roots, options, listings, true);
            }
            catch (final CorruptSegmentException ex)
            {
                // next to a live writer, lanes read one after another can disagree for a moment (one lane shows
                // a segment past what an earlier-read lane held then): damage is what a second reading finds too
                result = Recovery.scan(roots, options, listings, true);
            }
            result.notes.addAll(notes);
            return new OfflineWal(options.walUrls(), roots, result, remotes, listings);
        }
        catch (final IOException ex)
        {
            closeQuietly(remotes);
            throw new WalException("cannot read the WAL: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(remotes);
            throw ex;
        }
    }

    private static void closeQuietly(final WalFileSystem[] remotes)
    {
        for (final WalFileSystem fs : remotes)
        {
            if (fs != null)
            {
                try
                {
                    fs.close();
                }
                catch (final IOException | RuntimeException ignored)
                {
                    // closing anyway
                }
            }
        }
    }

    /**
     * @return per lane of this configuration (its index in {@code wal_urls}), the metrics last published in its
     *     directory ({@link StatsFile}), for the lanes that have any; the directory decides, not the index the file
     *     was written under (the lanes may have been reordered since).
     */
    public java.util.SortedMap<Integer, WalMetrics.Published> published()
    {
        final java.util.SortedMap<Integer, WalMetrics.Published> all = new java.util.TreeMap<>();
        for (int l = 0; l < roots.size(); l++)
        {
            final WalMetrics.Published p = StatsFile.read(roots.get(l));
            if (p != null)
            {
                all.put(l, p);
            }
        }
        return all;
    }

    public SortedSet<String> collections()
    {
        return scan.collectionNames();
    }

    /**
     * @return what the scan cut or skipped (torn tails, lost unsynced data, files left alone).
     */
    public List<String> notes()
    {
        return scan.notes;
    }

    /**
     * @return the highest sequence of {@code collection} that replay returns (0: none).
     */
    public long lastSequence(final String collection)
    {
        long last = 0;
        for (final Map<String, CollectionScan> lane : scan.lanes)
        {
            final CollectionScan s = lane.get(collection);
            if (s != null)
            {
                last = Math.max(last, s.lastSequence());
            }
        }
        return last;
    }

    /**
     * @return the highest checkpoint recorded for {@code collection} in any lane.
     */
    public long checkpoint(final String collection)
    {
        long checkpoint = 0;
        for (final Map<String, CollectionScan> lane : scan.lanes)
        {
            final CollectionScan s = lane.get(collection);
            if (s != null)
            {
                checkpoint = Math.max(checkpoint, s.checkpoint);
            }
        }
        return checkpoint;
    }

    /**
     * Replay {@code collection} from {@code fromSequence}, merged across lanes.
     */
    public WalReplay replay(final String collection, final long fromSequence)
    {
        CollectionNames.validate(collection);
        final List<SegmentRef> refs = new ArrayList<>();
        for (int l = 0; l < scan.lanes.size(); l++)
        {
            final CollectionScan s = scan.lanes.get(l).get(collection);
            if (s == null)
            {
                continue;
            }
            for (final SealedSegment sealed : s.sealed)
            {
                SegmentRef ref = new SegmentRef(sealed.path(), sealed.firstSequence(), sealed.lastSequence(),
                    Long.MAX_VALUE, Long.MAX_VALUE, true, null);
                if (remotes[l] != null)
                {
                    ref = ref.inObjectStorage(remotes[l], collection);
                }
                refs.add(ref);
            }
            for (final TailScan tail : s.tails)
            {
                if (tail.header != null && tail.lastSequence() > 0)
                {
                    refs.add(new SegmentRef(tail.path, tail.firstSequence(), Long.MAX_VALUE, tail.cut, tail.keepUpTo, false,
                        null));
                }
            }
        }
        List<SegmentRef> missing = new ArrayList<>();
        MergedReplay replay = new MergedReplay(refs, collection, fromSequence, missing);
        for (int attempt = 0; attempt < 10 && missing.stream().anyMatch(r -> !r.sealed()); attempt++)
        {
            // next to a live writer, an active segment may be sealed (renamed) between the scan and the replay:
            // read the sealed segment that starts where it did, as far as the scan allowed
            replay.close();
            boolean replaced = false;
            for (int i = 0; i < refs.size(); i++)
            {
                final SegmentRef ref = refs.get(i);
                if (!ref.sealed() && missing.contains(ref))
                {
                    final Path sealed = sealedStartingAt(ref.path());
                    if (sealed != null)
                    {
                        refs.set(i, new SegmentRef(sealed, ref.firstSequence(), ref.lastSequence(), ref.limit(),
                            ref.maxSequence(), false, null));
                        replaced = true;
                    }
                }
            }
            if (!replaced)
            {
                missing.removeIf(SegmentRef::sealed);
                break;
            }
            missing = new ArrayList<>();
            replay = new MergedReplay(refs, collection, fromSequence, missing);
        }
        for (final SegmentRef ref : missing)
        {
            if (!ref.sealed())
            {
                replay.close();
                throw new WalException("cannot replay " + collection + ": " + ref.path() + " was freed by a checkpoint " +
                    "(or sealed and then freed) while this read it; replay from after the collection's checkpoint, " +
                    "or open the reader again");
            }
            if (ref.remote() != null)
            {
                replay.close();
                throw new WalException("cannot replay " + collection + ": " + ref.remoteKey() + " is neither in " +
                    "staging (" + ref.path() + ") nor in the object store any more, though the store listed it " +
                    "(deleted by a checkpoint meanwhile? open the reader again)");
            }
        }
        return replay;
    }

    private static Path sealedStartingAt(final Path open)
    {
        try
        {
            return SegmentNames.sealedStartingAt(open.getParent(), SegmentNames.parseOpen(open.getFileName().toString()));
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * @return per lane and collection what the files hold; every watermark is the last sequence on disk.
     */
    public WalStats stats()
    {
        final List<WalStats.LaneStats> lanes = new ArrayList<>();
        for (int l = 0; l < scan.lanes.size(); l++)
        {
            final List<WalStats.CollectionStats> collections = new ArrayList<>();
            int pendingSegments = 0;
            long pendingBytes = 0;
            long oldest = Long.MAX_VALUE;
            for (final CollectionScan s : scan.lanes.get(l).values())
            {
                final SegmentTally tally = new SegmentTally();
                s.sealed.forEach(tally::sealed);
                for (final TailScan tail : s.tails)
                {
                    if (tail.header != null && tail.lastSequence() > 0)
                    {
                        tally.open(tail.firstSequence(), tail.cut);
                    }
                }
                final long last = lastSequence(s.name);
                long remoteDurable = last;
                int uploaded = 0;
                if (remotes[l] != null)
                {
                    final java.util.TreeMap<Long, SealedSegment> inStore = listings.get(l).segments.get(s.name);
                    remoteDurable = 0;
                    boolean prefix = true;
                    for (final SealedSegment sealed : s.sealed)
                    {
                        final boolean isUploaded = inStore != null && inStore.containsKey(sealed.firstSequence());
                        if (isUploaded)
                        {
                            uploaded++;
                        }
                        else
                        {
                            pendingSegments++;
                            pendingBytes += sealed.size();
                            oldest = Math.min(oldest, modified(sealed.path()));
                        }
                        prefix &= isUploaded;
                        if (prefix)
                        {
                            remoteDurable = sealed.lastSequence();
                        }
                    }
                }
                collections.add(new WalStats.CollectionStats(s.name, tally.sealedCount(), tally.openCount(),
                    tally.bytes(), tally.firstSequence(), s.lastSequence(), last, last, checkpoint(s.name),
                    remoteDurable, uploaded));
            }
            final WalStats.UploadStats upload = remotes[l] == null ? null : new WalStats.UploadStats(pendingSegments,
                pendingBytes, oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest), 0, 0, 0,
                0, 0, null, listings.get(l).latestEpoch());
            lanes.add(new WalStats.LaneStats(l, urls.get(l), roots.get(l).toString(), null, 0, collections, upload));
        }
        return new WalStats(lanes);
    }

    private static long modified(final Path file)
    {
        try
        {
            return java.nio.file.Files.getLastModifiedTime(file).toMillis();
        }
        catch (final IOException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public void close()
    {
        closeQuietly(remotes);   // the scan holds no open file; remote lanes hold a client
    }
}
