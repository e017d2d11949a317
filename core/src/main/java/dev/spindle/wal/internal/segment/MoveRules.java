package dev.spindle.wal.internal.segment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The void rule of move records ({@link MoveRecord}), for one collection. Within one writer (one open of the
 * WAL) a collection moves only away from a failed lane, which stays failed until that writer ends; so the
 * writer's records, ordered by sequence, say which lane owned each sequence: before the first record, the lane
 * it started in; from a record's sequence on, the record's lane. A copy of an entry in any other lane by the
 * same writer is void. Segments of other writers (earlier or later opens) are never touched. Built by recovery,
 * the verifier and the offline readers on their own thread; not shared.
 */
public final class MoveRules
{
    /** Keep every entry of the segment. */
    public static final long KEEP_ALL = Long.MAX_VALUE;

    /** Per writer: sequence -> the lane that owns it from there on. */
    private final Map<String, TreeMap<Long, Integer>> byWriter = new HashMap<>();
    private final List<Twice> twice = new java.util.ArrayList<>();
    private MoveRecord newest;
    private int newestLane = -1;

    /**
     * Add the records found in lane {@code lane}'s directory of the collection.
     */
    public void add(final int lane, final List<MoveRecord> records)
    {
        for (final MoveRecord r : records)
        {
            final Integer before = byWriter.computeIfAbsent(r.writer(), w -> new TreeMap<>()).put(r.sequence(), lane);
            if (before != null && before != lane)
            {
                // one move recorded in two lanes: an attempt whose record stayed behind (its directory fsync
                // failed) and the retry elsewhere; which lane owns the move is settled by what the lanes hold
                twice.add(new Twice(r.writer(), r.sequence(), Math.min(before, lane), Math.max(before, lane)));
            }
            if (newest == null || r.sequence() > newest.sequence())
            {
                newest = r;
                newestLane = lane;
            }
        }
    }

    /** A move whose record lies in two lanes. */
    private record Twice(String writer, long sequence, int lane, int other)
    {
    }

    /** Whether lane {@code lane} holds entries of the collection from {@code sequence} on written by {@code writer}. */
    @FunctionalInterface
    public interface Holds
    {
        boolean entriesFrom(int lane, long sequence, String writer);
    }

    /**
     * Settle each move recorded in two lanes: the lane that holds the writer's entries from the move's sequence on
     * took the collection (a checkpoint may have freed the segment that starts there, not everything after it);
     * when neither or both do, the lower lane (no entry of the writer from there on is in either to void, or the
     * data cannot tell).
     */
    public void settle(final Holds holds)
    {
        for (final Twice t : twice)
        {
            final boolean first = holds.entriesFrom(t.lane(), t.sequence(), t.writer());
            final boolean second = holds.entriesFrom(t.other(), t.sequence(), t.writer());
            byWriter.get(t.writer()).put(t.sequence(), second && !first ? t.other() : t.lane());
        }
        twice.clear();
    }

    public boolean isEmpty()
    {
        return byWriter.isEmpty();
    }

    /**
     * @return the record with the highest sequence, or null.
     */
    public MoveRecord newest()
    {
        return newest;
    }

    /**
     * @return the lane that holds {@link #newest()}, or -1.
     */
    public int newestLane()
    {
        return newestLane;
    }

    /**
     * @param writer the {@code spindle.writer_id} of the segment's header (null: unknown, kept).
     * @return the highest sequence of the segment of lane {@code lane} starting at {@code first} that is not
     *     void: {@link #KEEP_ALL}, or below {@code first} when the whole segment is void.
     */
    public long keepUpTo(final int lane, final String writer, final long first)
    {
        final TreeMap<Long, Integer> owners = writer == null ? null : byWriter.get(writer);
        if (owners == null)
        {
            return KEEP_ALL;
        }
        final Map.Entry<Long, Integer> owner = owners.floorEntry(first);
        if (owner != null && owner.getValue() != lane)
        {
            return first - 1;
        }
        final Long next = owners.higherKey(first);
        return next == null ? KEEP_ALL : next - 1;
    }
}
