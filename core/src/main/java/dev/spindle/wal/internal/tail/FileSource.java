package dev.spindle.wal.internal.tail;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.remote.FenceCache;
import dev.spindle.wal.internal.remote.LaneUrls;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.remote.RemoteStore;
import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.segment.CheckpointFile;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.MoveRules;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A collection seen from outside the writer's process: its directory in each local lane (and each remote lane's
 * staging, where this machine has it) and, for remote lanes, the objects in the bucket, which is all a machine
 * with only the bucket has. Never takes a lock, never changes a file. Woken by file events in the local
 * directories ({@link WatchService}; a write through a mapping makes none, so a look also comes every
 * {@code pollNanos}); remote lanes are listed at most every {@code remotePollNanos}.
 */
final class FileSource implements TailSource
{
    private static final Logger LOG = LoggerFactory.getLogger(FileSource.class);
    /** The longest a wait goes without looking at {@link #woken}. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String collection;
    private final List<String> urls;
    private final List<Path> roots;
    /** Per lane, the object store of a remote lane, else null. */
    private final WalFileSystem[] remotes;
    private final long remotePollNanos;
    private final List<List<SegmentRef>> refs = new ArrayList<>();
    /** Per remote lane, its segments in the bucket at its last listing, by first sequence. */
    private final List<TreeMap<Long, SegmentRef>> listed = new ArrayList<>();
    private final long[] remoteCheckpoints;
    private final long[] listedAt;
    private final FenceCache[] fences;
    /** Per remote lane, the move records in its bucket at its last listing (a moved collection's new lane's). */
    private final List<List<MoveRecord>> remoteMoves = new ArrayList<>();
    private final Map<Path, MoveRecord> moveRecords = new HashMap<>();
    private final WatchService watch;
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private final Set<String> told = new HashSet<>();
    private MoveRules moves = new MoveRules();
    private long checkpoint;
    private volatile boolean woken;

    FileSource(final WalOptions options, final String collection, final long remotePollNanos) throws IOException
    {
        this.collection = collection;
        this.urls = options.walUrls();
        this.roots = LaneUrls.resolve(urls, options.stagingDir());
        this.remotePollNanos = remotePollNanos;
        this.remotes = new WalFileSystem[roots.size()];
        this.remoteCheckpoints = new long[roots.size()];
        this.listedAt = new long[roots.size()];
        this.fences = new FenceCache[roots.size()];
        try
        {
            for (int i = 0; i < roots.size(); i++)
            {
                refs.add(List.of());
                listed.add(new TreeMap<>());
                remoteMoves.add(List.of());
                if (LaneUrls.isRemote(urls.get(i)))
                {
                    fences[i] = new FenceCache();
                    remotes[i] = RemoteStore.open(i, urls.get(i), options);
                }
            }
            this.watch = roots.get(0).getFileSystem().newWatchService();
        }
        catch (final IOException | RuntimeException ex)
        {
            closeRemotes();
            throw ex;
        }
    }

    @Override
    public int lanes()
    {
        return roots.size();
    }

    @Override
    public void look() throws IOException
    {
        final MoveRules rules = new MoveRules();
        long newest = 0;
        for (int i = 0; i < roots.size(); i++)
        {
            final Path dir = roots.get(i).resolve(collection);
            final TreeMap<Long, SegmentRef> byFirst = new TreeMap<>();
            final List<MoveRecord> records = new ArrayList<>();
            if (Files.isSymbolicLink(dir))
            {
                throw new WalException(dir + " is a symbolic link: Spindle never follows links in its lanes");
            }
            newest = Math.max(newest, listDirectory(i, dir, byFirst, records));
            if (remotes[i] != null)
            {
                newest = Math.max(newest, addRemote(i, byFirst));
                records.addAll(remoteMoves.get(i));    // where the staging that held them is gone
            }
            rules.add(i, records);
            refs.set(i, new ArrayList<>(byFirst.values()));
            watchFor(i, dir);
        }
        // the listing does not say who wrote a segment: the lane holding anything from the move on took it
        rules.settle((lane, sequence, writer) -> refs.get(lane).stream().anyMatch(r -> r.lastSequence() >= sequence));
        moves = rules;
        checkpoint = newest;
    }

    /**
     * List the directory twice and take both: a segment sealed (renamed) while a listing ran may be in neither
     * name in that listing, never in neither in both.
     *
     * @return the checkpoint recorded there (0: none).
     */
    private long listDirectory(final int lane, final Path dir, final TreeMap<Long, SegmentRef> byFirst,
        final List<MoveRecord> records) throws IOException
    {
        long found = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
            {
                for (final Path file : entries)
                {
                    found = Math.max(found, add(lane, file, byFirst, records));
                }
            }
            catch (final NoSuchFileException ex)
            {
                return found;    // not written in this lane (yet)
            }
        }
        return found;
    }

    private long add(final int lane, final Path file, final TreeMap<Long, SegmentRef> byFirst,
        final List<MoveRecord> records) throws IOException
    {
        final String name = file.getFileName().toString();
        final long open = SegmentNames.parseOpen(name);
        final long[] sealed = open > 0 ? null : SegmentNames.parseSealed(name);
        if (open > 0)
        {
            // the sealed name wins: the same segment, seen again after its rename
            byFirst.putIfAbsent(open, new SegmentRef(file, open, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
                false, null));
        }
        else if (sealed != null && sealed[0] > 0)
        {
            SegmentRef ref = new SegmentRef(file, sealed[0], sealed[1], Long.MAX_VALUE, Long.MAX_VALUE, true, null);
            if (remotes[lane] != null)
            {
                ref = ref.inObjectStorage(remotes[lane], collection);
            }
            byFirst.put(sealed[0], ref);
        }
        else if (MoveRecord.isName(name))
        {
            MoveRecord record = moveRecords.get(file);
            if (record == null)
            {
                try
                {
                    record = MoveRecord.read(file);
                }
                catch (final NoSuchFileException ex)
                {
                    return 0;    // a record being written (its temporary name) or gone
                }
                moveRecords.put(file, record);
            }
            records.add(record);
        }
        else if (name.equals(CheckpointFile.NAME))
        {
            try
            {
                return Math.max(0, CheckpointFile.read(file));
            }
            catch (final NoSuchFileException ex)
            {
                return 0;
            }
        }
        return 0;
    }

    /**
     * Add what the bucket holds of the collection that this machine's staging does not: listed again at most
     * every {@link #remotePollNanos}; in between, a segment that left staging (uploaded) is read from the bucket.
     *
     * @return the checkpoint recorded in the bucket (0: none).
     */
    private long addRemote(final int lane, final TreeMap<Long, SegmentRef> byFirst) throws IOException
    {
        final long now = System.nanoTime();
        final TreeMap<Long, SegmentRef> bucket = listed.get(lane);
        if (listedAt[lane] == 0 || now - listedAt[lane] >= remotePollNanos)
        {
            final List<String> notes = new ArrayList<>();
            final RemoteListing listing = RemoteListing.listCollection(remotes[lane], urls.get(lane), roots.get(lane),
                collection, notes, fences[lane]);
            listedAt[lane] = now == 0 ? 1 : now;
            for (final String note : notes)
            {
                if (told.add(note))
                {
                    LOG.info("tail of {}: {}", collection, note);
                }
            }
            final Map<Long, SegmentRef> fresh = new TreeMap<>();
            for (final SealedSegment s : listing.segments.getOrDefault(collection, new TreeMap<>()).values())
            {
                fresh.put(s.firstSequence(), new SegmentRef(s.path(), s.firstSequence(), s.lastSequence(),
                    Long.MAX_VALUE, Long.MAX_VALUE, true, null).inObjectStorage(remotes[lane], collection));
            }
            bucket.clear();
            bucket.putAll(fresh);
            remoteCheckpoints[lane] = listing.checkpoints.getOrDefault(collection, 0L);
            remoteMoves.set(lane, List.copyOf(listing.moves.getOrDefault(collection, List.of())));
        }
        // a sealed segment seen in staging at the last look and gone now was uploaded: it is read from the bucket
        for (final SegmentRef before : refs.get(lane))
        {
            if (before.sealed() && !byFirst.containsKey(before.firstSequence()))
            {
                bucket.putIfAbsent(before.firstSequence(), before);
            }
        }
        for (final SegmentRef ref : bucket.values())
        {
            byFirst.putIfAbsent(ref.firstSequence(), ref);    // the staged copy, where there is one, is read
        }
        return remoteCheckpoints[lane];
    }

    /** Watch the collection's directory, or the lane's until the collection's appears there. */
    private void watchFor(final int lane, final Path dir) throws IOException
    {
        final boolean own = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
        final Path target = own ? dir : roots.get(lane);
        if (own)
        {
            final WatchKey root = watched.remove(roots.get(lane));
            if (root != null)
            {
                root.cancel();    // it was watched until the collection's directory appeared
            }
        }
        if (watched.containsKey(target) || !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        try
        {
            watched.put(target, target.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
        }
        catch (final NoSuchFileException ex)
        {
            // removed meanwhile: the next look tries again
        }
    }

    @Override
    public List<SegmentRef> refs(final int lane)
    {
        return refs.get(lane);
    }

    @Override
    public MoveRules moves()
    {
        return moves;
    }

    @Override
    public long checkpoint()
    {
        return checkpoint;
    }

    @Override
    public long limit()
    {
        return Long.MAX_VALUE;
    }

    @Override
    public void await(final long next, final long nanos) throws InterruptedException
    {
        // in slices, so that wake() (a flag) ends the wait soon without interrupting a thread that may be reading
        final long deadline = System.nanoTime() + nanos;
        try
        {
            for (long left = nanos; left > 0 && !woken; left = deadline - System.nanoTime())
            {
                final long slice = Math.min(left, SLICE_NANOS);
                final WatchKey key = watched.isEmpty() ? null : watch.poll(slice, TimeUnit.NANOSECONDS);
                if (watched.isEmpty())
                {
                    LockSupport.parkNanos(this, slice);
                }
                if (key != null)
                {
                    for (WatchKey k = key; k != null; k = watch.poll())
                    {
                        k.pollEvents();
                        if (!k.reset())
                        {
                            watched.values().remove(k);    // its directory went away
                        }
                    }
                    return;
                }
            }
        }
        catch (final ClosedWatchServiceException ex)
        {
            // closing
        }
    }

    @Override
    public void wake()
    {
        woken = true;
    }

    @Override
    public void close()
    {
        try
        {
            watch.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
        closeRemotes();
    }

    private void closeRemotes()
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
}
