package dev.spindle.wal.internal.recovery;

import dev.spindle.wal.internal.segment.MoveRecord;
import dev.spindle.wal.internal.segment.SealedSegment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One collection directory of one lane as recovery found it.
 */
public final class CollectionScan
{
    public final String name;
    public final Path directory;
    public final List<SealedSegment> sealed = new ArrayList<>();
    public final List<TailScan> tails = new ArrayList<>();
    /** Files lenient recovery could not use; repair renames them {@code *.corrupt}. */
    public final List<Path> setAside = new ArrayList<>();
    /**
     * The sequences files set aside hold, {first, last}: those set aside now, and {@code *.corrupt} files of
     * earlier lenient recoveries (an active segment's last is the highest sequence among its entries). No gap is
     * reported in them, and no new entry takes one of their sequences.
     */
    public final List<long[]> heldAside = new ArrayList<>();
    /** Move records in this directory: the collection moved here from a failed lane ({@link MoveRecord}). */
    public final List<MoveRecord> moves = new ArrayList<>();
    /** The writer id of each sealed segment's header, by file (remote objects have none: never void). */
    public final Map<Path, String> writers = new HashMap<>();
    /** Segments wholly void under a move record; repair renames them {@code *.void}. */
    public final List<Path> voided = new ArrayList<>();
    public long checkpoint;
    /** Global sequence of the last entry of the newest sealed segment (filled on demand). */
    public long sealedLastGlobal;

    CollectionScan(final String name, final Path directory)
    {
        this.name = name;
        this.directory = directory;
    }

    /**
     * @return the highest sequence in this lane's files, after any gap cut.
     */
    public long lastSequence()
    {
        long last = 0;
        for (final SealedSegment s : sealed)
        {
            last = Math.max(last, s.lastSequence());
        }
        for (final TailScan t : tails)
        {
            last = Math.max(last, t.lastSequence());
        }
        return Math.max(last, heldAsideLast());
    }

    /**
     * @return the highest known sequence of the files set aside (0: none).
     */
    long heldAsideLast()
    {
        long last = 0;
        for (final long[] range : heldAside)
        {
            if (range[1] != Long.MAX_VALUE)
            {
                last = Math.max(last, range[1]);
            }
        }
        return last;
    }

    public long maxSealedLast()
    {
        long last = 0;
        for (final SealedSegment s : sealed)
        {
            last = Math.max(last, s.lastSequence());
        }
        return last;
    }
}
