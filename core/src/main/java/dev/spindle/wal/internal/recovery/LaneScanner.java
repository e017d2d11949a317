package dev.spindle.wal.internal.recovery;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.internal.segment.CollectionNames;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.CheckpointFile;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
import dev.spindle.wal.internal.segment.SegmentSearch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads what a lane directory holds, changing nothing: collection directories (names checked, links
 * never followed), sealed segments (header checked: they were complete and fsync'd before their
 * rename), active segments (scanned block by block to the last whole valid block), checkpoints.
 *
 * <p>Where an active segment stops being valid, the scan looks for any whole valid block further on.
 * If there is none, the end is a torn tail: the normal state after a crash, cut silently. If there is
 * one and the file was written with {@code PerBatch} or {@code Always} — where only the last block of a
 * file can be unsynced — the damage is corruption: an error naming the file and offset, unless
 * {@code recovery_mode = "lenient"}. Files written with {@code Periodic} or {@code Never} may lose
 * unsynced blocks in any order at power loss, so there it is a warning.
 */
public final class LaneScanner
{

    /** Listings of one collection directory tried before a scan that moved under a live writer is taken as is. */
    private static final int MAX_SCANS = 50;
    /** ... and for at most this long, after which the last scan is taken as it is. */
    private static final long MAX_SCAN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * Readings of a damaged-looking block of an active segment that a whole valid block follows, 1, 4 and 16 ms
     * apart, before it counts as damage.
     */
    private static final int REREADS = 3;

    private final RecoveryMode mode;
    private final List<String> notes;
    /** Next to a possibly live writer: list again when the directory changed, read a damaged block again. */
    private final boolean live;
    private CollectionScan current;

    /**
     * @param notes where to add a line for each thing worth telling (torn tails, skipped files).
     * @param live true for a reader next to a possibly live writer; false at open (the lanes are locked).
     */
    public LaneScanner(final RecoveryMode mode, final List<String> notes, final boolean live)
    {
        this.mode = mode;
        this.notes = notes;
        this.live = live;
    }

    /**
     * @return the collections found under {@code root}, by name.
     */
    public Map<String, CollectionScan> scan(final Path root) throws IOException
    {
        final Map<String, CollectionScan> found = new TreeMap<>();
        if (!Files.isDirectory(root))
        {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (name.startsWith("."))
                {
                    continue;
                }
                final BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
                if (!CollectionNames.isValid(name))
                {
                    notes.add(entry + ": not a collection name; left alone");
                    continue;
                }
                if (attrs.isSymbolicLink() || !attrs.isDirectory())
                {
                    notes.add(entry + ": not a directory (links are never followed); left alone");
                    continue;
                }
                found.put(name, scanCollection(name, entry));
            }
        }
        return found;
    }

    /**
     * Scan one collection directory. A live writer may seal (rename), recycle or delete a file between the
     * listing and its reading, and a listing taken during a rename may show both names or neither: the scan
     * counts only when the directory lists the same names before and after it, else it runs again.
     */
    private CollectionScan scanCollection(final String name, final Path dir) throws IOException
    {
        if (!live)
        {
            return scanCollection(name, dir, list(dir));
        }
        final int notesBefore = notes.size();
        final long deadline = System.nanoTime() + MAX_SCAN_NANOS;
        for (int attempt = 1; ; attempt++)
        {
            final boolean last = attempt == MAX_SCANS || System.nanoTime() - deadline >= 0;
            final List<String> before = list(dir);
            try
            {
                final CollectionScan scan = scanCollection(name, dir, before);
                if (last || before.equals(list(dir)))
                {
                    return scan;
                }
            }
            catch (final NoSuchFileException ex)
            {
                if (last)
                {
                    throw ex;
                }
            }
            notes.subList(notesBefore, notes.size()).clear();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(attempt, 20)));
        }
    }

    private static List<String> list(final Path dir) throws IOException
    {
        final List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path file : entries)
            {
                names.add(file.getFileName().toString());
            }
        }
        names.sort(null);
        return names;
    }

    private CollectionScan scanCollection(final String name, final Path dir, final List<String> listed)
        throws IOException
    {
        final CollectionScan scan = new CollectionScan(name, dir);
        current = scan;
        final List<Path> open = new ArrayList<>();
        for (final String fileName : listed)
        {
            final Path file = dir.resolve(fileName);
            final BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile())
            {
                notes.add(file + ": not a regular file; left alone");
                continue;
            }
            final long[] range = SegmentNames.parseSealed(fileName);
            if (range != null)
            {
                checkSealed(scan, file, range, attrs.size());
            }
            else if (SegmentNames.parseOpen(fileName) > 0)
            {
                open.add(file);
            }
            else if (CheckpointFile.NAME.equals(fileName))
            {
                scan.checkpoint = readCheckpoint(file);
            }
            else if (MoveRecord.isName(fileName))
            {
                readMove(scan, file);
            }
            else if (SetAside.isVoided(fileName))
            {
                continue;    // a copy a move record voided, kept for people: never read
            }
            else if (SetAside.isSetAside(fileName))
            {
                final long[] held = SetAside.held(fileName);
                if (held != null && held[1] == Long.MAX_VALUE)
                {
                    // an active segment set aside by an earlier open: what it holds is what its entries say
                    try (SegmentReader reader = new SegmentReader(file))
                    {
                        held[1] = Math.max(held[0], SegmentSearch.highestSequence(reader, name, held[0]));
                    }
                    catch (final IOException | RuntimeException ex)
                    {
                        held[1] = held[0];
                        notes.add(file + ": set aside earlier and unreadable now (" + ex + "); taken to hold " +
                            held[0] + " only");
                    }
                }
                if (held != null)
                {
                    scan.heldAside.add(held);
                }
            }
            else if (!fileName.endsWith(".tmp"))
            {
                notes.add(file + ": not a Spindle file; left alone");
            }
        }
        scan.sealed.sort((a, b) -> Long.compare(a.firstSequence(), b.firstSequence()));
        for (int i = 1; i < scan.sealed.size(); i++)
        {
            final SealedSegment previous = scan.sealed.get(i - 1);
            final SealedSegment next = scan.sealed.get(i);
            if (next.firstSequence() <= previous.lastSequence())
            {
                throw new CorruptSegmentException(next.path(), 0, "its sequences " + next.firstSequence() + ".." +
                    next.lastSequence() + " overlap " + previous.path().getFileName());
            }
        }
        open.sort(null);
        for (final Path file : open)
        {
            final long first = SegmentNames.parseOpen(file.getFileName().toString());
            if (hasSealedStartingAt(scan, first))
            {
                // a seal or a recovery repair renamed a copy and was cut short before deleting this one
                notes.add(file + ": leftover of an interrupted seal (a sealed segment starts at " + first + ")");
                scan.tails.add(new TailScan(file, Files.size(file), null));
                continue;
            }
            final TailScan tail;
            try
            {
                tail = scanTail(name, file, first);
            }
            catch (final NoSuchFileException ex)
            {
                sealedSinceListed(scan, dir, first);
                continue;
            }
            if (tail != null)
            {
                scan.tails.add(tail);
            }
        }
        scan.sealed.sort((a, b) -> Long.compare(a.firstSequence(), b.firstSequence()));
        return scan;
    }

    /**
     * An active segment listed a moment ago is gone: a live writer sealed it (renamed it) or deleted it (a
     * checkpoint passed it). Take the sealed segment that starts where it did, if there is one.
     */
    private void sealedSinceListed(final CollectionScan scan, final Path dir, final long first) throws IOException
    {
        final Path file = SegmentNames.sealedStartingAt(dir, first);
        if (file != null && !hasSealedStartingAt(scan, first))
        {
            checkSealed(scan, file, SegmentNames.parseSealed(file.getFileName().toString()), Files.size(file));
        }
    }

    private static boolean hasSealedStartingAt(final CollectionScan scan, final long first)
    {
        for (final SealedSegment s : scan.sealed)
        {
            if (s.firstSequence() == first)
            {
                return true;
            }
        }
        return false;
    }

    private void checkSealed(final CollectionScan scan, final Path file, final long[] range, final long size)
        throws IOException
    {
        try (SegmentReader reader = new SegmentReader(file))
        {
            final SegmentReader.Header header = reader.readHeader(scan.name);
            if (header.firstSequence != range[0])
            {
                throw new CorruptSegmentException(file, 0, "header first sequence " + header.firstSequence +
                    " does not match the file name");
            }
            if (size <= header.length)
            {
                throw new CorruptSegmentException(file, header.length, "sealed segment holds no block");
            }
            scan.sealed.add(new SealedSegment(file, range[0], range[1], size));
            scan.writers.put(file, header.metadata.get(SegmentFormat.META_WRITER_ID));
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            freedWhileRead(file);
        }
        catch (final CorruptSegmentException ex)
        {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
            {
                freedWhileRead(file);    // and being recycled: its bytes are a new segment's now
                return;
            }
            if (mode == RecoveryMode.strict)
            {
                throw ex;
            }
            notes.add("lenient recovery: setting aside (renamed *.corrupt) " + ex.getMessage());
            scan.setAside.add(file);
            scan.heldAside.add(range);
        }
    }

    /** A reader next to a live writer: a checkpoint freed {@code file} (deleted it, or is recycling it). */
    private void freedWhileRead(final Path file)
    {
        notes.add(file + ": freed by a checkpoint of the live writer while this read it; skipped");
    }

    /**
     * Scan an active segment to its last whole valid block.
     *
     * @return the scan, or null when lenient recovery set the file aside.
     */
    TailScan scanTail(final String collection, final Path file, final long first) throws IOException
    {
        final long size = Files.size(file);
        if (SegmentSearch.headerIsZero(file))
        {
            // created but never made durable: the first fsync of a segment always covers its header page,
            // so a segment whose header is still zeros (lost at power loss, or never written) holds
            // nothing that was ever acknowledged
            notes.add(file + ": header never reached the disk (no entry in it was acknowledged); deleted");
            return new TailScan(file, size, null);
        }
        final CollectionScan owner = current;
        try (SegmentReader reader = new SegmentReader(file))
        {
            final SegmentReader.Header header;
            try
            {
                header = reader.readHeader(collection);
                if (header.firstSequence != first)
                {
                    throw new CorruptSegmentException(file, 0, "header first sequence " + header.firstSequence +
                        " does not match the file name");
                }
            }
            catch (final CorruptSegmentException ex)
            {
                // a torn header holds no entry: the first fsync of a segment covers its header. A whole valid
                // header that is wrong for the file (another collection's, another first sequence) is damage:
                // a new segment's header is written and synced before the file takes its name
                if (reader.readWholeHeader() == null && !SegmentSearch.holdsAnyEntry(reader, collection, first))
                {
                    notes.add(file + ": header torn (" + ex.getMessage().substring(ex.getMessage().indexOf(": ") + 2) +
                        ") and no entry in the file: lost before its first fsync, so never acknowledged; deleted");
                    return new TailScan(file, size, null);
                }
                if (mode == RecoveryMode.strict)
                {
                    throw ex;
                }
                notes.add("lenient recovery: setting aside (renamed *.corrupt) " + ex.getMessage());
                owner.setAside.add(file);
                owner.heldAside.add(new long[]{first, Math.max(first, SegmentSearch.highestSequence(reader, collection,
                    first))});
                return null;
            }
            final TailScan tail = new TailScan(file, size, header);
            final SegmentReader.Block block = new SegmentReader.Block();
            long offset = header.length;
            long previous = first - 1;
            int rereads = 0;
            long later = -1;    // where a whole valid block follows the end, if one does
            while (true)
            {
                reader.readBlock(offset, size, previous, block);
                if (block.status == SegmentReader.Status.VALID && tail.blocks.isEmpty() &&
                    block.entries.get(0).sequence() != first)
                {
                    block.status = SegmentReader.Status.INVALID;
                    block.problem = "first entry has sequence " + block.entries.get(0).sequence() +
                        ", the file name says " + first;
                    block.problemOffset = block.bodyOffset;
                }
                if (block.status != SegmentReader.Status.VALID)
                {
                    later = offset >= size ? -1 : block.status == SegmentReader.Status.INVALID ?
                        SegmentSearch.findValidBlockAfter(reader, block, size, previous) :
                        SegmentSearch.findValidBlockAfter(reader, offset + 1, size, previous);
                    if (later >= 0 && live && rereads < REREADS)
                    {
                        // a reader next to a live writer can read a block while it is being written and the
                        // block after it once written: read it again before calling it damage (at open, a real
                        // damage costs these few milliseconds once)
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1L << (2 * rereads)));
                        rereads++;
                        continue;
                    }
                    break;
                }
                rereads = 0;
                tail.blocks.add(info(block));
                previous = block.entries.get(block.entries.size() - 1).sequence();
                offset = block.nextOffset;
            }
            tail.cut = offset;
            if (offset < size)
            {
                final boolean torn = block.status == SegmentReader.Status.INVALID;
                final String why = torn ? block.problem + " at byte " + block.problemOffset : "zeros at byte " + offset;
                tail.stopReason = torn ? block.problem : null;
                tail.stopOffset = torn ? block.problemOffset : offset;
                if (later >= 0 && !Files.exists(file, LinkOption.NOFOLLOW_LINKS))
                {
                    // sealed while this read it, and maybe freed and recycled: the bytes read are no longer
                    // all this segment's. The caller takes the sealed segment instead
                    throw new NoSuchFileException(file.toString());
                }
                if (later >= 0)
                {
                    final String problem = why + ", yet a whole valid block follows at byte " + later;
                    final SyncMode writerMode = header.syncMode;
                    if (writerMode == SyncMode.Periodic || writerMode == SyncMode.Never)
                    {
                        notes.add(file + ": " + problem + " (written with sync_mode=" + writerMode +
                            ", which may lose unsynced blocks out of order at power loss); cut at byte " + offset);
                    }
                    else if (mode == RecoveryMode.strict)
                    {
                        throw new CorruptSegmentException(file, offset, "corruption before the tail: " + problem +
                            "; use recovery_mode = \"lenient\" to cut the segment here");
                    }
                    else
                    {
                        notes.add("lenient recovery: " + file + ": corruption before the tail: " + problem +
                            "; cut at byte " + offset + ", dropping " + (size - offset) + " bytes");
                    }
                }
                else if (torn)
                {
                    notes.add(file + ": torn tail at byte " + offset + " (" + why + "); cut there");
                }
            }
            return tail;
        }
    }

    private static TailScan.BlockInfo info(final SegmentReader.Block block)
    {
        final int n = block.entries.size();
        final long[] sequences = new long[n];
        long lastGlobal = 0;
        for (int i = 0; i < n; i++)
        {
            final WalRecord r = block.entries.get(i);
            sequences[i] = r.sequence();
            lastGlobal = Math.max(lastGlobal, r.globalSequence());
        }
        return new TailScan.BlockInfo(block.offset, block.bodyOffset, block.nextOffset, sequences,
            java.util.Arrays.copyOf(block.entryLengths, n), lastGlobal);
    }

    /**
     * Read a sealed segment again as if it were active, to cut it below a move record's sequence (a lane failed
     * after renaming it and before counting it sealed).
     *
     * @return the scan, or null when lenient recovery set the file aside.
     */
    TailScan rescanAsTail(final CollectionScan owner, final SealedSegment segment) throws IOException
    {
        current = owner;
        return scanTail(owner.name, segment.path(), segment.firstSequence());
    }

    private void readMove(final CollectionScan scan, final Path file) throws IOException
    {
        try
        {
            scan.moves.add(MoveRecord.read(file));
        }
        catch (final CorruptSegmentException ex)
        {
            if (mode == RecoveryMode.strict)
            {
                throw ex;
            }
            notes.add("lenient recovery: ignoring unreadable move record (" + ex.getMessage() + "); the copies it " +
                "voided, if any, replay");
        }
    }

    private long readCheckpoint(final Path file) throws IOException
    {
        final long sequence = CheckpointFile.read(file);
        if (sequence >= 0)
        {
            return sequence;
        }
        if (mode == RecoveryMode.strict)
        {
            throw new CorruptSegmentException(file, 0, "checkpoint file does not hold " + CheckpointFile.EXPECTED);
        }
        notes.add("lenient recovery: ignoring unreadable checkpoint " + file);
        return 0;
    }

}
