package dev.spindle.wal.internal.tail;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.segment.MoveRules;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Follows one lane's segments of one collection, a block at a time, as they grow, get sealed and are followed by
 * new ones: the lane's part of a {@link Follower}. It keeps its file open and its place in it between looks, so a
 * look reads only the blocks written since the last one. Tail thread only.
 *
 * <p>Where it is, it is by the segment's first sequence: a segment that was active at the last look and is sealed
 * now is the same bytes truncated where the writer (or recovery) stopped, so it goes on at the same offset in the
 * sealed file; when that offset is past the sealed file's end (recovery rewrote the block there), or the segment is
 * gone (freed by a checkpoint, set aside, voided), it finds its place again by sequence.
 */
final class LaneCursor implements AutoCloseable
{
    private final int lane;
    private final String collection;
    private final SegmentReader.Block block = new SegmentReader.Block();
    /** The segment being read, as last listed. */
    private SegmentRef ref;
    private SegmentReader reader;
    /** No entry of {@link #ref} above this is read: a move record voided the rest, or the reader's bound. */
    private long maxSequence;
    /** The {@code spindle.writer_id} of {@link #ref}'s header (what move records are scoped by). */
    private String writer;
    /** The identity (device, inode) of the local file opened for {@link #ref}, or null. */
    private Object fileKey;
    private long offset;
    private long previous;
    private int index;
    /** The first entry not yet taken, at or after the sequence asked for, or null: nothing more here yet. */
    private WalRecord head;

    LaneCursor(final int lane, final String collection)
    {
        this.lane = lane;
        this.collection = collection;
    }

    /**
     * Check the place against a new look, once per look: the segment being read is still there (or sealed, the
     * same bytes), no move record voids what is read, and it is still the segment that may hold {@code next} (a
     * segment listed late, an upload that landed out of order, or a segment recovery cut and a restart replaced,
     * may come before it). Otherwise what was read ahead is thrown away and the place found again; nothing read
     * ahead was delivered.
     *
     * @param refs the lane's segments of the collection now (each listed once).
     * @param moves the collection's move records, to void what a failed lane holds from its move on.
     */
    void refresh(final long next, final List<SegmentRef> refs, final MoveRules moves) throws IOException
    {
        if (ref == null)
        {
            return;
        }
        final SegmentRef should = at(next, refs);
        if (should == null || should.firstSequence() != ref.firstSequence() || !follow(refs))
        {
            close();
            ref = null;
            return;
        }
        final long keep = moves.keepUpTo(lane, writer, ref.firstSequence());
        if (head != null && head.sequence() > keep)
        {
            close();    // read ahead into what a move record (found since) voids
            ref = null;
            return;
        }
        maxSequence = Math.min(maxSequence, keep);
    }

    /**
     * Read on until {@link #head()} is an entry at or after {@code next}, or nothing more is there now.
     *
     * @param refs the lane's segments of the collection at the last look, which {@link #refresh} saw.
     * @param moves the collection's move records at the last look.
     */
    void seek(final long next, final List<SegmentRef> refs, final MoveRules moves) throws IOException
    {
        if (head != null && head.sequence() >= next)
        {
            return;
        }
        head = null;
        while (true)
        {
            if (reader == null && !open(next, refs, moves))
            {
                return;
            }
            final Read read = readUpTo(next);
            if (read == Read.HEAD)
            {
                return;
            }
            if (read == Read.GONE)
            {
                close();
                ref = null;    // freed by a checkpoint while this read it: the next look finds the place again
                return;
            }
            // nothing more here now: go on to the lane's next segment of the collection, if there is one (a lane
            // starts one only once it is done writing the one before, which may still wait to be sealed)
            final SegmentRef later = after(ref, refs);
            if (later == null)
            {
                return;
            }
            close();
            ref = later;
            if (!openAt(later, moves))
            {
                return;
            }
        }
    }

    /** What reading on in the segment found. */
    private enum Read
    {
        /** An entry at or after the sequence asked for. */
        HEAD,
        /** Nothing more now: an active segment not written further yet, or a segment read to its end. */
        MORE_LATER,
        /** The segment is no longer under its name and what is read there makes no sense: freed and reused. */
        GONE
    }

    /** @return the first entry not yet taken, at or after the sequence last asked for, or null. */
    WalRecord head()
    {
        return head;
    }

    /** The caller delivered {@link #head()}. */
    void take()
    {
        head = null;
    }

    /** @return whether {@link #head()} comes from a sealed local segment (which never gains an entry before it). */
    boolean headIsSealedLocal()
    {
        return head != null && ref != null && ref.sealed() && ref.remote() == null;
    }

    /**
     * Match the segment being read with the listing: the same (its limit may have grown), now sealed, or gone.
     *
     * @return false when it must be found again by sequence.
     */
    private boolean follow(final List<SegmentRef> refs) throws IOException
    {
        for (final SegmentRef now : refs)
        {
            if (now.firstSequence() != ref.firstSequence())
            {
                continue;
            }
            if (now.path().equals(ref.path()) && now.sealed() == ref.sealed())
            {
                if (!sameFile(now))
                {
                    return false;    // deleted (an empty tail at a restart) and made again under the same name
                }
                ref = now;
                return true;
            }
            // sealed meanwhile (renamed and truncated): the same bytes, up to where the writer stopped
            final SegmentReader sealed = now.openReader();
            if (sealed == null)
            {
                return false;
            }
            if (offset != Long.MAX_VALUE && sealed.size() < offset)
            {
                sealed.close();
                return false;    // recovery cut inside what was read: find the place again
            }
            try
            {
                sealed.readHeader(collection);
            }
            catch (final IOException | RuntimeException ex)
            {
                sealed.close();
                throw ex;
            }
            reader.close();
            reader = sealed;
            ref = now;
            fileKey = now.memory() == null ? fileKey(now.path()) : null;
            maxSequence = Math.min(maxSequence, now.maxSequence());
            return true;
        }
        return false;
    }

    /** @return whether {@code now} names the file this cursor opened (always, for what is not a local file). */
    private boolean sameFile(final SegmentRef now)
    {
        if (fileKey == null || now.memory() != null || now.sealed())
        {
            return true;    // a sealed segment's name is never made again with other bytes
        }
        return fileKey.equals(fileKey(now.path()));
    }

    private static Object fileKey(final Path path)
    {
        try
        {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }
        catch (final IOException ex)
        {
            return null;    // gone: no match
        }
    }

    /**
     * Start reading the lane at the segment that may hold {@code next}: the last one starting at or before it,
     * else the first one after it.
     *
     * @return false when the lane has no such segment now.
     */
    private boolean open(final long next, final List<SegmentRef> refs, final MoveRules moves) throws IOException
    {
        final SegmentRef segment = at(next, refs);
        if (segment == null)
        {
            return false;
        }
        ref = segment;
        return openAt(segment, moves);
    }

    /**
     * @return the lane's segment that may hold {@code next}: the last one starting at or before it (unless it is
     *     sealed and ends before it), else the first one after it; null when there is none.
     */
    private static SegmentRef at(final long next, final List<SegmentRef> refs)
    {
        SegmentRef at = null;
        for (final SegmentRef r : refs)
        {
            if (r.firstSequence() <= next && (at == null || r.firstSequence() > at.firstSequence()))
            {
                at = r;
            }
        }
        if (at != null && at.sealed() && at.lastSequence() < next)
        {
            at = after(at, refs);
        }
        if (at == null)
        {
            for (final SegmentRef r : refs)
            {
                if (r.firstSequence() > next && (at == null || r.firstSequence() < at.firstSequence()))
                {
                    at = r;
                }
            }
        }
        return at;
    }

    private boolean openAt(final SegmentRef at, final MoveRules moves) throws IOException
    {
        reader = at.openReader();
        if (reader == null)
        {
            ref = null;
            return false;    // gone since it was listed: the next look lists again
        }
        fileKey = at.memory() == null && Files.exists(at.path(), LinkOption.NOFOLLOW_LINKS) ? fileKey(at.path()) : null;
        try
        {
            final SegmentReader.Header header = reader.readHeader(collection);
            offset = header.length;
            previous = at.firstSequence() - 1;
            index = 0;
            block.entries.clear();
            writer = header.metadata.get(SegmentFormat.META_WRITER_ID);
            maxSequence = Math.min(at.maxSequence(), moves.keepUpTo(lane, writer, at.firstSequence()));
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!at.sealed())
            {
                close();    // an active segment whose header is not yet whole: look again later
                return false;
            }
            close();
            throw ex;
        }
    }

    private Read readUpTo(final long next) throws IOException
    {
        while (true)
        {
            while (index < block.entries.size())
            {
                final WalRecord record = block.entries.get(index++);
                if (record.sequence() > maxSequence)
                {
                    index = block.entries.size();
                    offset = Long.MAX_VALUE;    // the rest of this segment is void
                    return Read.MORE_LATER;
                }
                if (record.sequence() >= next)
                {
                    head = record;
                    return Read.HEAD;
                }
            }
            if (offset == Long.MAX_VALUE)
            {
                return Read.MORE_LATER;
            }
            final long limit = ref.sealed() ? Math.min(ref.limit(), reader.size()) : ref.limit();
            reader.readBlock(offset, limit, previous, block);
            index = 0;
            if (block.status == SegmentReader.Status.VALID)
            {
                offset = block.nextOffset;
                previous = block.entries.get(block.entries.size() - 1).sequence();
                continue;
            }
            block.entries.clear();
            if (!ref.sealed() || offset >= limit)
            {
                return Read.MORE_LATER;    // an active segment not written that far yet (or a block half written)
            }
            if (ref.remote() == null && ref.memory() == null && !Files.exists(ref.path()))
            {
                return Read.GONE;
            }
            throw new CorruptSegmentException(ref.path(), block.problemOffset,
                block.status == SegmentReader.Status.END ? "sealed segment ends with zeros" : block.problem);
        }
    }

    private static SegmentRef after(final SegmentRef ref, final List<SegmentRef> refs)
    {
        SegmentRef next = null;
        for (final SegmentRef r : refs)
        {
            if (r.firstSequence() > ref.firstSequence() && (next == null || r.firstSequence() < next.firstSequence()))
            {
                next = r;
            }
        }
        return next;
    }

    @Override
    public void close() throws IOException
    {
        head = null;
        block.entries.clear();
        index = 0;
        final SegmentReader r = reader;
        reader = null;
        if (r != null)
        {
            r.close();
        }
    }
}
