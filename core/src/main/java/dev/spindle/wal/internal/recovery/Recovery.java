package dev.spindle.wal.internal.recovery;

import dev.spindle.fs.Directories;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.AckMode;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.segment.BlockCodec;
import dev.spindle.wal.internal.segment.FileSync;
import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.MoveRules;
import dev.spindle.wal.internal.segment.SealedSegment;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
import dev.spindle.wal.internal.segment.SegmentSearch;
import dev.spindle.wal.internal.segment.Sealer;
import dev.spindle.wal.internal.remote.RemoteListing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Recovery across all lanes, run when a WAL opens.
 *
 * <ol>
 *   <li>{@link #scan}: every lane is read ({@link LaneScanner}); nothing changes on disk.</li>
 *   <li>Gaps: a collection spread over several lanes may, after a crash, have entries in one lane past
 *       a sequence that another lane lost. Acknowledgements wait for the collection's contiguous
 *       watermark and sealed segments never pass it, so everything after the first missing sequence
 *       is unacknowledged and lies in {@code .open} tails: it is dropped ({@link TailScan#keepUpTo}).</li>
 *   <li>{@link #repair}: each tail is cut at its last whole block (or at the gap, rewriting one block
 *       when the gap falls inside it) and sealed: truncate, fsync, atomic rename, directory fsync.
 *       Empty tails are deleted. The next appends start new segments.</li>
 * </ol>
 */
public final class Recovery
{
    /** What recovery found, per lane: collection name to scan. */
    public static final class Result
    {
        public final List<Map<String, CollectionScan>> lanes = new ArrayList<>();
        public final List<String> notes = new ArrayList<>();

        /**
         * @return every collection name seen in any lane.
         */
        public TreeSet<String> collectionNames()
        {
            final TreeSet<String> names = new TreeSet<>();
            for (final Map<String, CollectionScan> lane : lanes)
            {
                names.addAll(lane.keySet());
            }
            return names;
        }
    }

    private enum Kind
    {
        /** A sealed segment, or a file set aside: its name gives its range. */
        SEALED,
        /** An active segment: it accounts for everything from its first sequence on. */
        ACTIVE
    }

    /**
     * Sequences a file accounts for by its name.
     *
     * @param never an active segment whose header says it was written under {@code sync_mode = Never}.
     */
    private record Held(long first, long last, Path file, Kind kind, int lane, boolean never)
    {
    }

    private Recovery()
    {
    }

    /**
     * Read every lane, with what remote lanes hold in object storage, and decide the cuts; changes nothing.
     *
     * @param remote per lane, its remote listing, or null (a local lane); the whole list may be null.
     * @param live true for a reader next to a possibly live writer: files may move under the scan, so it lists
     *     again and reads again where a writer could have been at work; false at open, where the lanes are
     *     locked and nothing moves.
     */
    public static Result scan(final List<Path> laneRoots, final WalOptions options, final List<RemoteListing> remote,
        final boolean live) throws IOException
    {
        final Result result = new Result();
        final LaneScanner scanner = new LaneScanner(options.recoveryMode(), result.notes, live);
        for (int l = 0; l < laneRoots.size(); l++)
        {
            final Map<String, CollectionScan> lane = scanner.scan(laneRoots.get(l));
            final RemoteListing listing = remote == null ? null : remote.get(l);
            if (listing != null)
            {
                addRemote(laneRoots.get(l), lane, listing, result.notes);
            }
            result.lanes.add(lane);
        }
        final Rules rules = new Rules(options.recoveryMode(), laneRoots.size() > 1 && !options.collectionAffinity(),
            options.ack() == AckMode.remote);
        for (final String name : result.collectionNames())
        {
            applyMoves(name, result, scanner);
            cutAtGap(name, result, rules);
        }
        checkLeft(options, remote, result, live);
        return result;
    }

    /**
     * A collection that left a remote lane (a writer moved it to another lane at S when the lane's staging
     * failed, {@link RemoteListing#LEFT_SUFFIX}) has its entries from S on in that lane. When no lane here holds
     * the move record, they are in a lane this configuration does not have: going on with the collection would
     * give their sequences again (another writer took the prefix over, or the configuration lost the lane). An
     * open stops and says so; a reader notes it.
     */
    private static void checkLeft(final WalOptions options, final List<RemoteListing> remote, final Result result,
        final boolean live)
    {
        if (remote == null)
        {
            return;
        }
        for (int l = 0; l < remote.size(); l++)
        {
            final RemoteListing listing = remote.get(l);
            if (listing == null)
            {
                continue;
            }
            for (final Map.Entry<String, List<String>> e : listing.left.entrySet())
            {
                for (final String record : e.getValue())
                {
                    if (heldMove(result, e.getKey(), record + MoveRecord.SUFFIX))
                    {
                        continue;
                    }
                    final String why = "collection " + e.getKey() + " left " + options.walUrls().get(l) + " at " +
                        "sequence " + Long.parseLong(record.substring(0, 20)) + " (its writer " + record.substring(21) +
                        " moved it to another lane when this lane's staging failed; the object " + e.getKey() + "/" +
                        record + RemoteListing.LEFT_SUFFIX + " says so), and no lane of this configuration holds " +
                        "its move record: its entries from there on are in a lane this configuration does not have";
                    if (live)
                    {
                        result.notes.add(why + "; they are not replayed");
                    }
                    else
                    {
                        throw new WalException(why + ". Going on with it here would give their sequences again. Add " +
                            "that lane to wal_urls (the moving writer logged it, and its move record names this " +
                            "lane), or, to give those entries up, delete that object");
                    }
                }
            }
        }
    }

    private static boolean heldMove(final Result result, final String collection, final String recordName)
    {
        for (final Map<String, CollectionScan> lane : result.lanes)
        {
            final CollectionScan scan = lane.get(collection);
            if (scan != null && scan.moves.stream().anyMatch(m -> m.file().getFileName().toString().equals(recordName)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * What decides whether a hole is damage.
     *
     * @param spread entries of a collection may go to any lane ({@code collection_affinity = false} over several
     *     lanes), so a crash can lose one in a lane that never created its active segment.
     * @param remoteAck {@code ack = "remote"}: entries are acknowledged once in object storage, where segments
     *     may land out of order; what follows a segment not there was never acknowledged.
     */
    private record Rules(RecoveryMode mode, boolean spread, boolean remoteAck)
    {
    }

    /**
     * Remote segments count as the lane's sealed segments (a staged copy of the same segment is the same
     * segment); so do remote checkpoints and move records. A collection only in object storage gets a scan of its
     * own.
     */
    private static void addRemote(final Path root, final Map<String, CollectionScan> lane, final RemoteListing listing,
        final List<String> notes)
    {
        for (final Map.Entry<String, java.util.TreeMap<Long, SealedSegment>> e : listing.segments.entrySet())
        {
            final CollectionScan scan = lane.computeIfAbsent(e.getKey(),
                name -> new CollectionScan(name, root.resolve(name)));
            final Map<Long, SealedSegment> local = new java.util.HashMap<>();
            scan.sealed.forEach(s -> local.put(s.firstSequence(), s));
            for (final SealedSegment s : e.getValue().values())
            {
                final SealedSegment staged = local.get(s.firstSequence());
                if (staged == null)
                {
                    scan.sealed.add(s);
                }
                else if (staged.lastSequence() != s.lastSequence())
                {
                    notes.add("ignored the object " + e.getKey() + "/" + s.path().getFileName() + ": the staged " +
                        staged.path() + " starts at the same sequence; the staged segment is kept and uploaded");
                }
            }
            scan.sealed.sort((a, b) -> Long.compare(a.firstSequence(), b.firstSequence()));
        }
        for (final Map.Entry<String, Long> e : listing.checkpoints.entrySet())
        {
            final CollectionScan scan = lane.computeIfAbsent(e.getKey(),
                name -> new CollectionScan(name, root.resolve(name)));
            scan.checkpoint = Math.max(scan.checkpoint, e.getValue());
        }
        for (final Map.Entry<String, List<MoveRecord>> e : listing.moves.entrySet())
        {
            final CollectionScan scan = lane.computeIfAbsent(e.getKey(),
                name -> new CollectionScan(name, root.resolve(name)));
            for (final MoveRecord move : e.getValue())
            {
                // the staged copy, when there is one, was read whole; the object counts when it is gone
                if (scan.moves.stream().noneMatch(m -> m.file().getFileName().equals(move.file().getFileName())))
                {
                    scan.moves.add(move);
                }
            }
        }
    }

    /**
     * Apply the collection's move records ({@link MoveRules}): a segment wholly void is no longer part of the
     * scan (repair renames it {@code *.void}); one that holds void copies after kept entries is read only up to
     * the last kept one (repair cuts it there, as it cuts a tail at a gap).
     */
    private static void applyMoves(final String name, final Result result, final LaneScanner scanner)
        throws IOException
    {
        final MoveRules rules = new MoveRules();
        for (int l = 0; l < result.lanes.size(); l++)
        {
            final CollectionScan scan = result.lanes.get(l).get(name);
            if (scan != null)
            {
                rules.add(l, scan.moves);
            }
        }
        rules.settle((lane, sequence, writer) ->
        {
            final CollectionScan scan = result.lanes.get(lane).get(name);
            return scan != null && (scan.sealed.stream().anyMatch(s -> s.lastSequence() >= sequence &&
                writer.equals(scan.writers.get(s.path()))) || scan.tails.stream().anyMatch(t -> t.header != null &&
                t.lastSequence() >= sequence && writer.equals(t.header.metadata.get(SegmentFormat.META_WRITER_ID))));
        });
        if (rules.isEmpty())
        {
            return;
        }
        for (int l = 0; l < result.lanes.size(); l++)
        {
            final CollectionScan scan = result.lanes.get(l).get(name);
            if (scan == null)
            {
                continue;
            }
            for (final SealedSegment s : new ArrayList<>(scan.sealed))
            {
                final long keep = rules.keepUpTo(l, scan.writers.get(s.path()), s.firstSequence());
                if (keep >= s.lastSequence())
                {
                    continue;
                }
                scan.sealed.remove(s);
                if (keep < s.firstSequence())
                {
                    voided(scan, s.path(), result.notes);
                    continue;
                }
                final TailScan tail = scanner.rescanAsTail(scan, s);
                if (tail != null)
                {
                    tail.keepUpTo = keep;
                    scan.tails.add(tail);
                    result.notes.add(s.path() + ": holds copies a move record voided, from sequence " + (keep + 1) +
                        " on; cut there");
                }
            }
            for (final TailScan tail : new ArrayList<>(scan.tails))
            {
                if (tail.header == null)
                {
                    continue;
                }
                final long keep = rules.keepUpTo(l, tail.header.metadata.get(SegmentFormat.META_WRITER_ID),
                    tail.nameFirst);
                if (keep < tail.nameFirst)
                {
                    scan.tails.remove(tail);
                    voided(scan, tail.path, result.notes);
                }
                else
                {
                    tail.keepUpTo = Math.min(tail.keepUpTo, keep);
                }
            }
        }
    }

    private static void voided(final CollectionScan scan, final Path file, final List<String> notes)
    {
        scan.voided.add(file);
        notes.add(file + ": every entry in it is a copy a move record voided (its lane failed and the collection " +
            "went on in another lane); not replayed, renamed *.void at open");
    }

    private static void cutAtGap(final String name, final Result result, final Rules rules)
    {
        final List<CollectionScan> scans = new ArrayList<>();
        for (final Map<String, CollectionScan> lane : result.lanes)
        {
            final CollectionScan scan = lane.get(name);
            if (scan != null)
            {
                scans.add(scan);
            }
        }
        // also with one lane: its tail may begin after a sequence another lane took and lost
        long start = 0;
        for (final CollectionScan scan : scans)
        {
            start = Math.max(start, Math.max(Math.max(scan.maxSealedLast(), scan.checkpoint), scan.heldAsideLast()));
        }
        start = Math.max(start, checkHoles(name, scans, rules, result.notes));
        final TreeSet<Long> present = new TreeSet<>();
        for (final CollectionScan scan : scans)
        {
            for (final TailScan tail : scan.tails)
            {
                for (final TailScan.BlockInfo block : tail.blocks)
                {
                    for (final long s : block.sequences)
                    {
                        if (s > start && s <= tail.keepUpTo)
                        {
                            present.add(s);
                        }
                    }
                }
            }
        }
        long expect = start + 1;
        for (final long s : present)
        {
            if (s != expect)
            {
                break;
            }
            expect++;
        }
        final long keepUpTo = expect - 1;
        final long dropped = present.tailSet(keepUpTo, false).size();
        if (dropped > 0)
        {
            result.notes.add("collection " + name + ": sequence " + expect + " was lost before it was durable; " +
                dropped + " later entries were never acknowledged and are dropped");
            for (final CollectionScan scan : scans)
            {
                for (final TailScan tail : scan.tails)
                {
                    tail.keepUpTo = Math.min(tail.keepUpTo, keepUpTo);
                }
            }
        }
    }

    /**
     * Find sequences that no file's name accounts for, before or between files that exist: a sealed segment's name
     * gives its range, a file set aside its range ({@link CollectionScan#heldAside}), and an active segment the
     * sequences it holds (what it lost unsynced is cut by {@link #cutAtGap}); the sequences start after the
     * checkpoint. Within a lane a crash leaves no such hole before a sealed or set-aside file: segments are sealed
     * in sequence order, only after everything before them is durable. A sealed segment was deleted or lost, and
     * the entries after it were acknowledged. The holes a crash can leave are let through, and {@link #cutAtGap}
     * then drops what follows them, which was never durable:
     * <ul>
     *   <li>only active segments follow the hole, and the collection's entries may go to any lane (one lost in a
     *       lane that had not yet created its active segment); a lane the collection moved away from does not
     *       count as one of its lanes;</li>
     *   <li>only active segments of one lane follow the hole, written under {@code sync_mode = Never}, and an
     *       active segment of that lane starts before it: a power cut emptied a full segment being forced in the
     *       background while the next one kept entries (no other mode leaves two active segments of a collection in
     *       one lane);</li>
     *   <li>with {@code ack = "remote"}, segments in object storage past one that never got there;</li>
     *   <li>before the first file, in the lane a move record at that file's first sequence names: the failed
     *       lane the collection left is gone.</li>
     * </ul>
     * (Within a collection spread over several lanes, the other lanes' ranges overlap a lost segment's:
     * {@code verify}, which reads every entry, finds what this misses.)
     *
     * @return where the tails after a hole let through may start (the last sequence of that hole), else 0.
     * @throws CorruptSegmentException in strict mode, naming the hole and the file after it.
     */
    private static long checkHoles(final String name, final List<CollectionScan> scans, final Rules rules,
        final List<String> notes)
    {
        long floor = 0;
        long movedAt = 0;
        int movedTo = -1;
        final List<Held> ranges = new ArrayList<>();
        for (int lane = 0; lane < scans.size(); lane++)
        {
            final CollectionScan scan = scans.get(lane);
            floor = Math.max(floor, scan.checkpoint);
            for (final MoveRecord record : scan.moves)
            {
                if (record.sequence() > movedAt)
                {
                    movedAt = record.sequence();
                    movedTo = lane;
                }
            }
            for (final SealedSegment s : scan.sealed)
            {
                ranges.add(new Held(s.firstSequence(), s.lastSequence(), s.path(), Kind.SEALED, lane, false));
            }
            for (final long[] held : scan.heldAside)
            {
                ranges.add(new Held(held[0], held[1], scan.directory, Kind.SEALED, lane, false));
            }
            for (final TailScan tail : scan.tails)
            {
                // what it holds, as the next open sees it once sealed (an empty tail is deleted: it holds nothing);
                // counting it to the end hid a hole before a later set-aside file, and the next open refused
                ranges.add(new Held(tail.nameFirst, Math.max(tail.nameFirst - 1, tail.lastSequence()), tail.path,
                    Kind.ACTIVE, lane, tail.header != null && tail.header.syncMode == SyncMode.Never));
            }
        }
        ranges.sort((a, b) -> Long.compare(a.first, b.first));
        final boolean spread = rules.spread() || lanesWithTails(scans, movedAt, movedTo) > 1;
        long covered = 0;
        long lastHole = 0;
        for (int i = 0; i < ranges.size(); i++)
        {
            final Held range = ranges.get(i);
            final long first = range.first;
            if (first > covered + 1 && first > floor + 1)
            {
                final long from = Math.max(covered, floor) + 1;
                final String hole = "collection " + name + ": sequences " + from + ".." + (first - 1) + " are missing: " +
                    "no segment holds them, yet " + range.file.getFileName() + " holds later ones";
                if (onlyActiveFrom(ranges, i) && (spread || cutInNeverLane(ranges, i)))
                {
                    // never acknowledged: cutAtGap drops what follows
                    break;
                }
                if (rules.remoteAck() && range.kind == Kind.SEALED && !Files.exists(range.file))
                {
                    notes.add(hole + ": with ack = \"remote\" an entry is acknowledged once its segment is in object " +
                        "storage, and segments land out of order, so the later ones were never acknowledged; kept");
                    lastHole = first - 1;
                }
                else if (i == 0 && first == movedAt && range.lane == movedTo)
                {
                    notes.add("collection " + name + ": sequences " + from + ".." + (first - 1) + " were in the " +
                        "failed lane the collection moved away from at " + movedAt + ", which holds nothing of it now");
                    lastHole = first - 1;
                }
                else if (rules.mode() == RecoveryMode.strict)
                {
                    throw new CorruptSegmentException(range.file, 0, hole + " (a sealed segment deleted or lost?); " +
                        "restore it, or open with recovery_mode = \"lenient\" to keep every entry there is and go on " +
                        "past the hole");
                }
                else
                {
                    notes.add("lenient recovery: " + hole + " (a sealed segment deleted or lost?); every entry after " +
                        "the hole is kept");
                    lastHole = first - 1;
                }
            }
            covered = Math.max(covered, range.last);
        }
        return lastHole;
    }

    /**
     * @return how many lanes hold active segments of the collection, leaving out a lane it moved away from (whose
     *     tail ends before the newest move record's sequence, {@code movedAt}, in another lane).
     */
    private static int lanesWithTails(final List<CollectionScan> scans, final long movedAt, final int movedTo)
    {
        int lanes = 0;
        for (int lane = 0; lane < scans.size(); lane++)
        {
            boolean counts = false;
            for (final TailScan tail : scans.get(lane).tails)
            {
                counts |= lane == movedTo || Math.max(tail.nameFirst, tail.lastSequence()) >= movedAt;
            }
            lanes += counts ? 1 : 0;
        }
        return lanes;
    }

    private static boolean onlyActiveFrom(final List<Held> ranges, final int from)
    {
        for (int i = from; i < ranges.size(); i++)
        {
            if (ranges.get(i).kind != Kind.ACTIVE)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether the ranges from {@code from} on are active segments of one lane written under {@code Never},
     *     and an active segment of that lane starts before them.
     */
    private static boolean cutInNeverLane(final List<Held> ranges, final int from)
    {
        final int lane = ranges.get(from).lane;
        for (int i = from; i < ranges.size(); i++)
        {
            final Held r = ranges.get(i);
            if (r.lane != lane || !r.never && r.last >= r.first)
            {
                return false;    // another lane, or entries written under another mode
            }
        }
        for (int i = 0; i < from; i++)
        {
            if (ranges.get(i).lane == lane && ranges.get(i).kind == Kind.ACTIVE)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Make the disk match the scan: seal each tail at its cut, delete empty tails and leftovers.
     * Afterwards every collection has only sealed segments.
     */
    public static void repair(final Result result) throws IOException
    {
        for (final Map<String, CollectionScan> lane : result.lanes)
        {
            for (final CollectionScan scan : lane.values())
            {
                for (final TailScan tail : scan.tails)
                {
                    final SealedSegment sealed = sealTail(tail, result.notes);
                    if (sealed != null)
                    {
                        scan.sealed.add(sealed);
                    }
                }
                scan.tails.clear();
                for (final Path file : scan.setAside)
                {
                    Files.move(file, SetAside.target(file), StandardCopyOption.ATOMIC_MOVE);
                    Directories.fsync(scan.directory);
                }
                scan.setAside.clear();
                for (final Path file : scan.voided)
                {
                    Files.move(file, SetAside.voidTarget(file), StandardCopyOption.ATOMIC_MOVE);
                    Directories.fsync(scan.directory);
                }
                scan.voided.clear();
                scan.sealed.sort((a, b) -> Long.compare(a.firstSequence(), b.firstSequence()));
                deleteTemporaries(scan.directory);
            }
        }
    }

    private static SealedSegment sealTail(final TailScan tail, final List<String> notes) throws IOException
    {
        final Path dir = tail.path.getParent();
        final long last = tail.lastSequence();
        if (tail.header == null || last == 0)
        {
            Sealer.delete(tail.path);
            return null;
        }
        final Path sealedPath = dir.resolve(SegmentNames.sealed(tail.header.firstSequence, last));
        long end = tail.cut;
        TailScan.BlockInfo split = null;
        int keep = 0;
        for (final TailScan.BlockInfo block : tail.blocks)
        {
            if (block.lastSequence() <= tail.keepUpTo)
            {
                continue;
            }
            if (block.firstSequence() > tail.keepUpTo)
            {
                end = block.offset;
            }
            else
            {
                split = block;
                while (block.sequences[keep] <= tail.keepUpTo)
                {
                    keep++;
                }
            }
            break;
        }
        if (split == null)
        {
            Sealer.seal(tail.path, end, sealedPath);
            return new SealedSegment(sealedPath, tail.header.firstSequence, last, end);
        }
        final long size = rewriteWithPrefix(tail, split, keep, sealedPath);
        Sealer.delete(tail.path);
        notes.add(tail.path + ": sealed as " + sealedPath.getFileName() + " keeping the first " + keep +
            " entries of the block at byte " + split.offset);
        return new SealedSegment(sealedPath, tail.header.firstSequence, last, size);
    }

    /**
     * Copy the tail up to {@code block}, then that block cut to its first {@code keep} entries, into a
     * new sealed file (temp, fsync, rename, directory fsync).
     */
    private static long rewriteWithPrefix(final TailScan tail, final TailScan.BlockInfo block, final int keep,
        final Path sealedPath) throws IOException
    {
        final Path tmp = sealedPath.resolveSibling(sealedPath.getFileName() + ".tmp");
        long bodyLength = 0;
        for (int i = 0; i < keep; i++)
        {
            bodyLength += block.lengths[i];
        }
        long at = block.offset;
        try (FileChannel in = FileChannel.open(tail.path, StandardOpenOption.READ);
            FileChannel out = Directories.createFresh(tmp);
            BlockCodec codec = BlockCodec.create(tail.header.codec, 0))
        {
            final ByteBuffer body = keptEntries(tail, block, bodyLength, codec);
            final byte[] blockHeader = new byte[SegmentFormat.MAX_BLOCK_HEADER];
            final int blockHeaderLength = SegmentFormat.encodeBlockHeader(keep, body.remaining(), blockHeader);
            long copied = 0;
            while (copied < block.offset)
            {
                copied += in.transferTo(copied, block.offset - copied, out);
            }
            FileSync.writeFully(out, ByteBuffer.wrap(blockHeader, 0, blockHeaderLength), at);
            at += blockHeaderLength;
            at += body.remaining();
            FileSync.writeFully(out, body, at - body.remaining());
            FileSync.writeFully(out, ByteBuffer.wrap(tail.header.sync), at);
            at += SegmentFormat.SYNC_SIZE;
            out.truncate(at);
            out.force(true);
        }
        Sealer.install(tmp, sealedPath);
        return at;
    }

    /**
     * @return the first {@code length} bytes of the entries of {@code block}, compressed by {@code codec} (when not
     *     null) as a block of their own.
     */
    private static ByteBuffer keptEntries(final TailScan tail, final TailScan.BlockInfo block, final long length,
        final BlockCodec codec) throws IOException
    {
        try (SegmentReader reader = new SegmentReader(tail.path))
        {
            reader.readHeader(null);
            final SegmentReader.Block read = new SegmentReader.Block();
            reader.readBlock(block.offset, tail.cut, block.sequences[0] - 1, read);
            if (read.status != SegmentReader.Status.VALID)
            {
                throw new IOException(tail.path + ": the block at byte " + block.offset + " no longer reads whole (" +
                    read.problem + ")");
            }
            final ByteBuffer entries = reader.entriesOfLastBlock();
            entries.limit((int)length);
            return codec == null ? ByteBuffer.allocate((int)length).put(entries).flip() :
                ByteBuffer.wrap(codec.compress(entries));
        }
    }

    private static void deleteTemporaries(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return;
        }
        boolean deleted = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.tmp"))
        {
            for (final Path tmp : entries)
            {
                Files.deleteIfExists(tmp);
                deleted = true;
            }
        }
        if (deleted)
        {
            Directories.fsync(dir);
        }
    }

    /**
     * @return the global sequence of the last entry of {@code segment}, read from its last block.
     */
    public static long lastGlobalSequence(final SealedSegment segment) throws IOException
    {
        try (SegmentReader reader = new SegmentReader(segment.path()))
        {
            return lastGlobalSequence(reader);
        }
    }

    /**
     * @return the global sequence of the last entry of the segment {@code reader} reads (0 if unreadable).
     */
    public static long lastGlobalSequence(final SegmentReader reader) throws IOException
    {
        {
            reader.readHeader(null);
            final long offset = SegmentSearch.lastBlockOffset(reader);
            if (offset < 0)
            {
                return 0;
            }
            final SegmentReader.Block block = new SegmentReader.Block();
            reader.readBlock(offset, reader.size(), 0, block);
            if (block.status != SegmentReader.Status.VALID)
            {
                return 0;
            }
            long max = 0;
            for (final var record : block.entries)
            {
                max = Math.max(max, record.globalSequence());
            }
            return max;
        }
    }
}
