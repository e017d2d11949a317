package dev.spindle.wal.internal.segment;

/**
 * What a collection's segments in one lane add up to, for stats of the open WAL and of a closed one alike:
 * how many are sealed and how many open, their bytes, and the first sequence they hold. One caller's thread.
 */
public final class SegmentTally
{
    private int sealed;
    private int open;
    private long bytes;
    private long first = Long.MAX_VALUE;

    public SegmentTally sealed(final SealedSegment segment)
    {
        sealed++;
        bytes += segment.size();
        first = Math.min(first, segment.firstSequence());
        return this;
    }

    /**
     * @param readableBytes the bytes a reader may read of it (whole, acknowledged blocks).
     */
    public SegmentTally open(final long firstSequence, final long readableBytes)
    {
        open++;
        bytes += readableBytes;
        first = Math.min(first, firstSequence);
        return this;
    }

    public int sealedCount()
    {
        return sealed;
    }

    public int openCount()
    {
        return open;
    }

    public long bytes()
    {
        return bytes;
    }

    /** @return the first sequence held, or 0 for none. */
    public long firstSequence()
    {
        return first == Long.MAX_VALUE ? 0 : first;
    }
}
