package dev.spindle.wal.internal.tail;

import dev.spindle.wal.internal.replay.SegmentRef;
import dev.spindle.wal.internal.segment.MoveRules;

import java.io.IOException;
import java.util.List;

/**
 * Where a {@link Follower} finds a collection's segments, how far it may deliver, and how it waits for more: the
 * open WAL in this process ({@link LiveSource}) or the files and objects seen from anywhere else
 * ({@link FileSource}). Tail thread only, except {@link #wake()}.
 */
interface TailSource extends AutoCloseable
{
    int lanes();

    /** Look at what the lanes hold now; {@link #refs}, {@link #moves} and {@link #checkpoint} answer from it. */
    void look() throws IOException;

    /** @return lane {@code lane}'s segments of the collection at the last look. */
    List<SegmentRef> refs(int lane);

    /** @return the collection's move records at the last look (empty where the refs already leave void copies out). */
    MoveRules moves();

    /** @return the collection's checkpoint at the last look: what is at or below it may be gone before delivery. */
    long checkpoint();

    /**
     * @return the highest sequence that may be delivered: the acknowledged watermark in this process (read before
     *     the look, so everything up to it is in what the look saw); unbounded elsewhere.
     */
    long limit();

    /** Wait at most {@code nanos} for something that may let sequence {@code next} through. */
    void await(long next, long nanos) throws IOException, InterruptedException;

    /** End an {@link #await} now (any thread). */
    void wake();

    @Override
    void close();
}
