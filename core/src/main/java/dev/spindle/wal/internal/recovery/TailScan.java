package dev.spindle.wal.internal.recovery;

import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What scanning one active ({@code .open}) segment found: its whole valid blocks, where the log ends
 * ({@link #cut}) and why it ends there.
 */
public final class TailScan
{
    /** One whole valid block. */
    public static final class BlockInfo
    {
        public final long offset;
        public final long bodyOffset;
        public final long nextOffset;
        public final long[] sequences;
        public final int[] lengths;
        public final long lastGlobalSequence;

        BlockInfo(final long offset, final long bodyOffset, final long nextOffset, final long[] sequences,
            final int[] lengths, final long lastGlobalSequence)
        {
            this.offset = offset;
            this.bodyOffset = bodyOffset;
            this.nextOffset = nextOffset;
            this.sequences = sequences;
            this.lengths = lengths;
            this.lastGlobalSequence = lastGlobalSequence;
        }

        long firstSequence()
        {
            return sequences[0];
        }

        long lastSequence()
        {
            return sequences[sequences.length - 1];
        }
    }

    public final Path path;
    /** The first sequence its name gives. */
    public final long nameFirst;
    public final long fileSize;
    public final SegmentReader.Header header;
    public final List<BlockInfo> blocks = new ArrayList<>();
    /** End of the last whole valid block: where the log ends. */
    public long cut;
    /** Why the scan stopped before the end of the file (a torn tail), or null for a clean end. */
    public String stopReason;
    public long stopOffset;
    /** Entries above this were never acknowledged (a gap in another lane precedes them) and are dropped. */
    public long keepUpTo = Long.MAX_VALUE;

    TailScan(final Path path, final long fileSize, final SegmentReader.Header header)
    {
        this.path = path;
        final String name = path.getFileName().toString();
        final long[] sealed = SegmentNames.parseSealed(name);
        this.nameFirst = sealed != null ? sealed[0] : SegmentNames.parseOpen(name);    // sealed: cut by a move
        this.fileSize = fileSize;
        this.header = header;
        this.cut = header == null ? 0 : header.length;
    }

    public boolean isEmpty()
    {
        return lastSequence() == 0;
    }

    public long firstSequence()
    {
        return header == null ? 0 : header.firstSequence;
    }

    /**
     * @return the last sequence kept (after {@link #keepUpTo}), or 0 when none.
     */
    public long lastSequence()
    {
        long last = 0;
        for (final BlockInfo block : blocks)
        {
            for (final long s : block.sequences)
            {
                if (s <= keepUpTo)
                {
                    last = s;
                }
            }
        }
        return last;
    }

    /**
     * @return the highest global sequence among kept entries' blocks (an upper bound is fine).
     */
    public long lastGlobalSequence()
    {
        long last = 0;
        for (final BlockInfo block : blocks)
        {
            last = Math.max(last, block.lastGlobalSequence);
        }
        return last;
    }

    /**
     * @return the number of bytes after the cut that are dropped (torn tail or never written).
     */
    public long droppedBytes()
    {
        return Math.max(0, fileSize - cut);
    }
}
