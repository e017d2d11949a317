package dev.spindle.wal.internal.offline;

import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.AckMode;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalVerifier.Finding;
import dev.spindle.wal.WalVerifier.Report;
import dev.spindle.wal.WalVerifier.Severity;
import dev.spindle.wal.internal.segment.CollectionNames;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.internal.remote.LaneUrls;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentChannel;
import dev.spindle.wal.internal.remote.RemoteChannel;
import dev.spindle.wal.internal.remote.RemoteStore;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.segment.CheckpointFile;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.MoveRules;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.recovery.SetAside;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
import dev.spindle.wal.internal.segment.SegmentSearch;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The implementation behind {@link dev.spindle.wal.WalVerifier}: reads every byte of every lane (and what
 * remote lanes hold in object storage) and collects findings rather than stopping at the first. One instance
 * per run, on the caller's thread.
 */
public final class Verification
{
    private final List<Finding> findings = new ArrayList<>();
    private final Map<String, Sequences> collections = new TreeMap<>();
    /** The findings of missing sequences, and what they say. */
    private final Map<Finding, Hole> holes = new java.util.IdentityHashMap<>();
    /** The names given to objects read from object storage (their findings are never taken back). */
    private final java.util.Set<Path> remoteFiles = new java.util.HashSet<>();
    /** A collection's entries may go to any lane ({@code collection_affinity = false} over several lanes). */
    private final boolean spread;
    /** {@code ack = "remote"}: segments land in object storage out of order. */
    private final boolean remoteAck;
    private final boolean wholeWal;
    /** The lane being read. */
    private int lane;
    private long segments;
    private long entries;

    /** Sequences seen for one collection, as a bitmap from the lowest first sequence. */
    private static final class Sequences
    {
        final List<long[]> seen = new ArrayList<>();
        /** Active segments whose header never reached the disk: {lane, first sequence of the name}. */
        final List<long[]> headerless = new ArrayList<>();
        long maxSealedLast;
        long checkpoint;
        /** The collection's move records: which copies are void. */
        final MoveRules moves = new MoveRules();
        /** What each segment holds, before the move records are applied. */
        final List<Read> reads = new ArrayList<>();
    }

    /**
     * The sequences read from one segment, by the lane and writer that wrote them.
     *
     * @param never an active segment written under {@code sync_mode = Never} (its header says so).
     */
    private record Read(long[] sequences, int lane, String writer, long first, boolean sealed, boolean never)
    {
    }

    /** An active segment as recovery counts it: its lane, its first sequence, what it holds (null: no header). */
    private record Active(int lane, long first, long[] sequences, boolean never)
    {
        long last()
        {
            return sequences == null || sequences.length == 0 ? first - 1 : sequences[sequences.length - 1];
        }
    }

    private record Hole(String collection, long from, long to)
    {
    }

    /**
     * @param wholeWal a whole WAL's lanes, where a collection's sequences start after its checkpoint; false for
     *     segment files on their own, which may start anywhere.
     */
    private Verification(final boolean spread, final boolean remoteAck, final boolean wholeWal)
    {
        this.spread = spread;
        this.remoteAck = remoteAck;
        this.wholeWal = wholeWal;
    }

    /**
     * Verify every lane of a WAL (read only; no lock taken).
     */
    public static Report verify(final WalOptions options)
    {
        if (options.syncMode() == SyncMode.MemoryOnly)
        {
            throw new WalException("sync_mode = MemoryOnly keeps no files: there is nothing to verify");
        }
        final List<Path> roots = LaneUrls.resolve(options.walUrls(), options.stagingDir());
        final Verification first = pass(options, roots);
        final Report report = first.finish();
        if (report.clean())
        {
            return report;
        }
        // Next to a live writer a file may move between its listing and its reading, and lanes are read one
        // after another, so one lane can show entries past what an earlier-read lane held then. Damage is
        // reported only when a second reading finds it again: a real hole or a damaged byte stays where it is,
        // while what a live writer moved or wrote meanwhile is whole in the second reading (everything a
        // sealed segment of the first reading passes was durable in every lane before the second began).
        final Verification second = pass(options, roots);
        second.finish();
        return first.confirmedBy(second);
    }

    private static Verification pass(final WalOptions options, final List<Path> roots)
    {
        final Verification verifier = new Verification(roots.size() > 1 && !options.collectionAffinity(),
            options.ack() == AckMode.remote, true);
        for (int lane = 0; lane < roots.size(); lane++)
        {
            verifier.lane = lane;
            verifier.verifyLane(roots.get(lane));
            final String url = options.walUrls().get(lane);
            if (LaneUrls.isRemote(url))
            {
                verifier.verifyRemote(lane, url, roots.get(lane), options);
            }
        }
        return verifier;
    }

    /**
     * @return this reading's report keeping only the errors {@code second} found too: the same finding, or for
     *     missing sequences, those missing in both readings.
     */
    private Report confirmedBy(final Verification second)
    {
        final List<Finding> confirmed = new ArrayList<>();
        for (final Finding f : findings)
        {
            final Hole hole = holes.get(f);
            if (f.severity() != Severity.ERROR || (hole == null && (!mayMoveUnderReader(f) || second.errorAt(f))))
            {
                confirmed.add(f);
            }
            else if (hole == null)
            {
                confirmed.add(new Finding(Severity.NOTE, f.file(), f.offset(), "seen by a first reading only, not by " +
                    "a second (a live writer moved or wrote it meanwhile): " + f.problem()));
            }
            else
            {
                for (final Hole h : second.holes.values())
                {
                    final long from = Math.max(hole.from, h.from);
                    final long to = Math.min(hole.to, h.to);
                    if (h.collection.equals(hole.collection) && from <= to)
                    {
                        confirmed.add(missing(hole.collection, from, to));
                    }
                }
            }
        }
        return new Report(List.copyOf(confirmed), segments, entries);
    }


    /**
     * Verify the given segment files on their own.
     */
    public static Report verifySegments(final List<Path> files)
    {
        final Verification verifier = new Verification(false, false, false);
        for (final Path file : files)
        {
            final Path parent = file.toAbsolutePath().getParent();
            final String dirName = parent == null || parent.getFileName() == null ? null : parent.getFileName().toString();
            verifier.verifyFile(file, CollectionNames.isValid(dirName) ? dirName : null);
        }
        return verifier.finish();
    }

    private void verifyLane(final Path root)
    {
        if (!Files.isDirectory(root))
        {
            findings.add(new Finding(Severity.NOTE, root, -1, "lane directory does not exist (nothing written yet)"));
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root))
        {
            for (final Path dir : dirs)
            {
                final String name = dir.getFileName().toString();
                if (name.startsWith("."))
                {
                    continue;
                }
                if (!CollectionNames.isValid(name) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
                {
                    findings.add(new Finding(Severity.NOTE, dir, -1, "not a collection directory; left alone"));
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
                {
                    final List<Path> sorted = new ArrayList<>();
                    files.forEach(sorted::add);
                    sorted.sort(null);
                    for (final Path file : sorted)
                    {
                        final String fileName = file.getFileName().toString();
                        if (CheckpointFile.NAME.equals(fileName))
                        {
                            readCheckpoint(name, file);
                        }
                        else if (SegmentNames.parseSealed(fileName) != null || SegmentNames.parseOpen(fileName) > 0)
                        {
                            verifyFile(file, name);
                        }
                        else if (MoveRecord.isName(fileName))
                        {
                            readMove(name, file);
                        }
                        else if (SetAside.isVoided(fileName))
                        {
                            findings.add(new Finding(Severity.NOTE, file, -1, "copies a move record voided (set aside " +
                                "by recovery); not read"));
                        }
                        else
                        {
                            findings.add(new Finding(Severity.NOTE, file, -1, "not a Spindle segment; left alone"));
                        }
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            findings.add(new Finding(Severity.ERROR, root, -1, "cannot list: " + ex.getMessage()));
        }
    }

    /**
     * A remote lane: read every segment in object storage that has no staged copy (those were just verified),
     * the same way as a local file.
     */
    private void verifyRemote(final int lane, final String url, final Path stagingRoot, final WalOptions options)
    {
        final List<String> notes = new ArrayList<>();
        try (RemoteStore.Listed store = RemoteStore.openListed(lane, url, options, stagingRoot, notes))
        {
            final WalFileSystem fs = store.fs();
            final RemoteListing listing = store.listing();
            for (final String note : notes)
            {
                findings.add(new Finding(Severity.NOTE, null, -1, note));
            }
            for (final Map.Entry<String, Long> e : listing.checkpoints.entrySet())
            {
                final Sequences s = collections.computeIfAbsent(e.getKey(), k -> new Sequences());
                s.checkpoint = Math.max(s.checkpoint, e.getValue());
            }
            for (final Map.Entry<String, List<MoveRecord>> e : listing.moves.entrySet())
            {
                // the same record staged (read above) adds nothing: the rule maps its sequence to this lane again
                collections.computeIfAbsent(e.getKey(), k -> new Sequences()).moves.add(lane, e.getValue());
            }
            for (final Map.Entry<String, java.util.TreeMap<Long, SealedSegment>> e : listing.segments.entrySet())
            {
                for (final SealedSegment segment : e.getValue().values())
                {
                    if (Files.exists(segment.path()))
                    {
                        continue;
                    }
                    final String key = RemoteListing.key(e.getKey(), segment.path().getFileName().toString());
                    final Path object = Path.of(url.replaceFirst("/+$", "") + "/" + key);
                    remoteFiles.add(object);
                    verifyFile(object, e.getKey(), new RemoteChannel(fs, key));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            findings.add(new Finding(Severity.ERROR, null, -1, "wal_urls[" + lane + "] " + url + ": cannot list or " +
                "read the object store: " + ex.getMessage()));
        }
    }

    private void readCheckpoint(final String collection, final Path file)
    {
        try
        {
            final long sequence = CheckpointFile.read(file);
            if (sequence < 0)
            {
                throw new NumberFormatException();
            }
            final Sequences s = collections.computeIfAbsent(collection, k -> new Sequences());
            s.checkpoint = Math.max(s.checkpoint, sequence);
        }
        catch (final IOException | RuntimeException ex)
        {
            findings.add(new Finding(Severity.ERROR, file, 0, "unreadable checkpoint file"));
        }
    }

    private void readMove(final String collection, final Path file)
    {
        try
        {
            final MoveRecord record = MoveRecord.read(file);
            collections.computeIfAbsent(collection, k -> new Sequences()).moves.add(lane, List.of(record));
        }
        catch (final CorruptSegmentException ex)
        {
            findings.add(new Finding(Severity.ERROR, file, ex.offset(), ex.getMessage()
                .substring(ex.getMessage().indexOf(": ") + 2)));
        }
        catch (final IOException ex)
        {
            findings.add(new Finding(Severity.ERROR, file, -1, "cannot read: " + ex.getMessage()));
        }
    }

    private void verifyFile(final Path file, final String expectedCollection)
    {
        verifyFile(file, expectedCollection, null);
    }

    private void verifyFile(final Path file, final String expectedCollection, final SegmentChannel channel)
    {
        final int before = findings.size();
        verifyOneFile(file, expectedCollection, channel);
        if (channel == null && SegmentNames.parseSealed(file.getFileName().toString()) != null &&
            findings.size() > before && !Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            // next to a live writer, a checkpoint freed the file while it was read, and the file is being
            // overwritten as a new segment (recycled): not damage
            findings.subList(before, findings.size()).clear();
            findings.add(new Finding(Severity.NOTE, file, -1, "freed by a checkpoint while verify read it (the " +
                "writer recycles such files); not checked"));
        }
    }

    private void verifyOneFile(final Path file, final String expectedCollection, final SegmentChannel channel)
    {
        final String fileName = file.getFileName().toString();
        final long[] range = SegmentNames.parseSealed(fileName);
        final long openFirst = SegmentNames.parseOpen(fileName);
        final boolean sealed = range != null;
        if (!sealed && openFirst <= 0)
        {
            findings.add(new Finding(Severity.ERROR, file, -1, "name is neither {first}.open nor {first}-{last}.avro"));
            return;
        }
        segments++;
        try (SegmentReader reader = channel == null ? new SegmentReader(file) : new SegmentReader(file, channel))
        {
            final SegmentReader.Header header;
            try
            {
                header = reader.readHeader(expectedCollection);
            }
            catch (final CorruptSegmentException ex)
            {
                // as recovery decides: a whole valid header wrong for its file is damage, not a torn one
                if (!sealed && (SegmentSearch.headerIsZero(file) || reader.readWholeHeader() == null &&
                    !SegmentSearch.holdsAnyEntry(reader, expectedCollection == null ? "" : expectedCollection, openFirst)))
                {
                    findings.add(new Finding(Severity.NOTE, file, 0, "active segment whose header never reached the " +
                        "disk, so nothing in it was acknowledged (recovery deletes it)"));
                    if (expectedCollection != null)
                    {
                        collections.computeIfAbsent(expectedCollection, k -> new Sequences()).headerless
                            .add(new long[]{lane, openFirst});
                    }
                }
                else
                {
                    findings.add(new Finding(Severity.ERROR, file, ex.offset(), ex.getMessage()
                        .substring(ex.getMessage().indexOf(": ") + 2)));
                }
                return;
            }
            final long first = sealed ? range[0] : openFirst;
            if (header.firstSequence != first)
            {
                findings.add(new Finding(Severity.ERROR, file, 0, "header first sequence " + header.firstSequence +
                    " does not match the file name"));
            }
            final Sequences sequences = collections.computeIfAbsent(header.collection, k -> new Sequences());
            scanBlocks(reader, header, file, sealed, first, sealed ? range[1] : -1, sequences);
            sequences.reads.add(new Read(sequences.seen.remove(sequences.seen.size() - 1), lane,
                header.metadata.get(SegmentFormat.META_WRITER_ID), first, sealed, header.syncMode == SyncMode.Never));
        }
        catch (final IOException ex)
        {
            findings.add(new Finding(Severity.ERROR, file, -1, "cannot read: " + ex.getMessage()));
        }
    }

    private void scanBlocks(final SegmentReader reader, final SegmentReader.Header header, final Path file,
        final boolean sealed, final long first, final long nameLast, final Sequences sequences) throws IOException
    {
        final SegmentReader.Block block = new SegmentReader.Block();
        final long size = reader.size();
        long offset = header.length;
        long previous = first - 1;
        long last = 0;
        final List<Long> seen = new ArrayList<>();
        while (true)
        {
            reader.readBlock(offset, size, previous, block);
            if (block.status != SegmentReader.Status.VALID)
            {
                break;
            }
            if (seen.isEmpty() && block.entries.get(0).sequence() != first)
            {
                findings.add(new Finding(Severity.ERROR, file, block.bodyOffset, "first entry has sequence " +
                    block.entries.get(0).sequence() + ", the file name says " + first));
            }
            for (final WalRecord r : block.entries)
            {
                seen.add(r.sequence());
            }
            entries += block.entries.size();
            previous = block.entries.get(block.entries.size() - 1).sequence();
            last = previous;
            offset = block.nextOffset;
        }
        if (offset < size)
        {
            final String why = block.status == SegmentReader.Status.INVALID ? block.problem : "zeros";
            final long at = block.status == SegmentReader.Status.INVALID ? block.problemOffset : offset;
            if (sealed)
            {
                findings.add(new Finding(Severity.ERROR, file, at, why + " (a sealed segment must end with a whole block)"));
            }
            else
            {
                final long later = block.status == SegmentReader.Status.INVALID ?
                    SegmentSearch.findValidBlockAfter(reader, block, size, previous) : SegmentSearch.findValidBlockAfter(reader, offset + 1, size, previous);
                if (later >= 0 && header.syncMode != SyncMode.Periodic && header.syncMode != SyncMode.Never)
                {
                    findings.add(new Finding(Severity.ERROR, file, at, "corruption before the tail: " + why +
                        "; a whole valid block follows at byte " + later));
                }
                else if (block.status == SegmentReader.Status.INVALID || later >= 0)
                {
                    findings.add(new Finding(Severity.NOTE, file, offset, "torn tail (" + why + "): the normal state " +
                        "after a crash; recovery cuts the segment at byte " + offset));
                }
            }
        }
        if (sealed && last != nameLast)
        {
            findings.add(new Finding(Severity.ERROR, file, -1, "last entry has sequence " + last +
                ", the file name says " + nameLast));
        }
        if (sealed)
        {
            sequences.maxSealedLast = Math.max(sequences.maxSealedLast, last);
        }
        final long[] array = new long[seen.size()];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = seen.get(i);
        }
        sequences.seen.add(array);
    }

    private Report finish()
    {
        for (final Map.Entry<String, Sequences> e : collections.entrySet())
        {
            checkContinuity(e.getKey(), e.getValue());
        }
        return new Report(List.copyOf(findings), segments, entries);
    }

    /**
     * Whether a live writer could have caused {@code f}: an error in a local active segment, or in a file that is
     * gone now (sealed, or freed by a checkpoint). Listing errors, object-store errors and errors in sealed files
     * that are still there are never taken back.
     */
    private boolean mayMoveUnderReader(final Finding f)
    {
        if (f.file() == null || remoteFiles.contains(f.file()))
        {
            return false;
        }
        return SegmentNames.parseOpen(f.file().getFileName().toString()) > 0 ||
            !Files.exists(f.file(), LinkOption.NOFOLLOW_LINKS);
    }

    /** @return whether this reading found an error in the same file at the same byte as {@code f}. */
    private boolean errorAt(final Finding f)
    {
        for (final Finding mine : findings)
        {
            if (mine.severity() == Severity.ERROR && f.file().equals(mine.file()) && f.offset() == mine.offset())
            {
                return true;
            }
        }
        return false;
    }

    private static Finding missing(final String collection, final long from, final long to)
    {
        return new Finding(Severity.ERROR, null, -1, "collection " + collection + ": sequences " + from + ".." + to +
            " are missing");
    }

    /**
     * Sequences held twice, and gaps, from the sorted sequences themselves: work and memory in proportion to the
     * entries read, never to the numbers they carry (a bitmap from the lowest sequence to the highest let a 2 KiB
     * segment holding sequences 1 and 2,000,000,000 allocate 250 MB, an OutOfMemoryError in a small heap).
     */
    private void checkContinuity(final String collection, final Sequences s)
    {
        final List<Active> active = new ArrayList<>();
        long maxSealedLast = 0;
        s.moves.settle((lane, sequence, writer) -> s.reads.stream().anyMatch(r -> r.lane() == lane &&
            writer.equals(r.writer()) && r.sequences().length > 0 && r.sequences()[r.sequences().length - 1] >= sequence));
        for (final Read read : s.reads)
        {
            final long keep = s.moves.keepUpTo(read.lane(), read.writer(), read.first());
            final long[] kept = keep == MoveRules.KEEP_ALL ? read.sequences() :
                Arrays.stream(read.sequences()).filter(q -> q <= keep).toArray();
            s.seen.add(kept);
            if (read.sealed() && kept.length > 0)
            {
                maxSealedLast = Math.max(maxSealedLast, kept[kept.length - 1]);
            }
            else if (!read.sealed() && keep >= read.first())
            {
                active.add(new Active(read.lane(), read.first(), kept, read.never()));    // recovery voids the rest
            }
        }
        for (final long[] h : s.headerless)
        {
            active.add(new Active((int)h[0], h[1], null, false));
        }
        s.reads.clear();
        int count = 0;
        for (final long[] array : s.seen)
        {
            count += array.length;
        }
        final long[] sorted = new long[count];
        int at = 0;
        for (final long[] array : s.seen)
        {
            System.arraycopy(array, 0, sorted, at, array.length);
            at += array.length;
        }
        Arrays.sort(sorted);
        if (count == 0 || sorted[count - 1] <= 0)
        {
            return;
        }
        for (int i = 1; i < count; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                findings.add(new Finding(Severity.ERROR, null, -1, "collection " + collection + ": sequence " +
                    sorted[i] + " appears in more than one segment"));
            }
        }
        final MoveRecord moved = s.moves.newest();
        final boolean spreadHere = spread || activeLanes(active, moved, s.moves.newestLane()) > 1;
        for (int i = 0; i <= count - 1; i++)
        {
            if (i == 0 && !wholeWal)
            {
                continue;
            }
            final long before = i == 0 ? 0 : sorted[i - 1];
            if (sorted[i] - 1 <= before)
            {
                continue;
            }
            final long missing = Math.max(before, s.checkpoint) + 1;
            if (missing >= sorted[i])
            {
                continue;
            }
            if (missing > maxSealedLast && (!startsAfter(active, missing) || spreadHere ||
                cutInNeverLane(active, missing)))
            {
                // only active segments follow: the same rule as recovery, which drops what follows a sequence lost
                // before it was durable: a gap inside the entries of active segments, or a hole between files
                // that a crash leaves (when entries may go to any lane, one lost in a lane that had not yet created
                // its active segment; under Never, a full segment a power cut emptied while it was being forced).
                // Before a sealed segment, or any other hole between files, is a lost sealed segment (an error)
                findings.add(new Finding(Severity.NOTE, null, -1, "collection " + collection + ": sequence " + missing +
                    " was lost before it was durable; the later entries in active segments were never " +
                    "acknowledged and recovery drops them"));
                return;
            }
            if (i == 0 && (moved != null && moved.sequence() == sorted[0] || remoteAck))
            {
                findings.add(new Finding(Severity.NOTE, null, -1, "collection " + collection + ": sequences " + missing +
                    ".." + (sorted[0] - 1) + " are in no segment, before the first one there is (" + (remoteAck ?
                    "with ack = \"remote\", a segment not yet in object storage" : "in the failed lane the collection " +
                    "moved away from") + ")"));
                continue;
            }
            final Finding finding = missing(collection, missing, sorted[i] - 1);
            findings.add(finding);
            holes.put(finding, new Hole(collection, missing, sorted[i] - 1));
        }
    }

    /**
     * @return how many lanes hold active segments, leaving out a lane the collection moved away from (all it holds
     *     is below the newest move record, which is in another lane), as recovery counts them.
     */
    private static int activeLanes(final List<Active> active, final MoveRecord moved, final int movedTo)
    {
        final BitSet lanes = new BitSet();
        for (final Active a : active)
        {
            if (moved == null || a.lane() == movedTo || Math.max(a.first(), a.last()) >= moved.sequence())
            {
                lanes.set(a.lane());
            }
        }
        return lanes.cardinality();
    }

    /** @return whether an active segment starts after {@code missing} (a hole between files, not inside one). */
    private static boolean startsAfter(final List<Active> active, final long missing)
    {
        for (final Active a : active)
        {
            if (a.first() > missing)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the active segments after {@code missing} are of one lane and written under {@code Never},
     *     and an active segment of that lane starts at or before it (as recovery decides).
     */
    private static boolean cutInNeverLane(final List<Active> active, final long missing)
    {
        int lane = -1;
        for (final Active a : active)
        {
            if (a.first() > missing)
            {
                if (lane >= 0 && a.lane() != lane || !a.never() && a.last() >= a.first())
                {
                    return false;
                }
                lane = a.lane();
            }
        }
        if (lane < 0)
        {
            return false;
        }
        for (final Active a : active)
        {
            if (a.lane() == lane && a.first() <= missing)
            {
                return true;
            }
        }
        return false;
    }
}
