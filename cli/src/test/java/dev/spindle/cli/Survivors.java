package dev.spindle.cli;

import dev.spindle.cli.bench.Payloads;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check after every crash: open (recover) the WAL and replay every collection from just after its
 * checkpoint; each acknowledged sequence must be there with exactly the payload {@code spindle write
 * --seed} wrote, sequences must run on with no gap, and the collection must continue at last+1.
 * Afterwards every collection is checkpointed at its last sequence, so the next round replays only
 * its own entries and the disk does not fill up.
 */
final class Survivors
{
    private Survivors()
    {
    }

    /**
     * @return entries replayed in total.
     */
    static long check(final WalOptions options, final Map<String, Long> acknowledged, final long seed,
        final String context)
    {
        return replay(options, acknowledged, seed, context).entries();
    }

    /**
     * What {@link #replay} found.
     *
     * @param entries entries replayed (and their payloads checked) in total.
     * @param last per collection of the map given, its last sequence after recovery (each replays, with no gap).
     */
    record Replayed(long entries, Map<String, Long> last)
    {
    }

    /**
     * {@link #check}, and what the last sequence of each collection is: a power-loss test with a sync mode that
     * acknowledges before the fsync compares it with the acknowledged watermark.
     *
     * @param mustSurvive per collection, the highest sequence that must replay (0: none, but look at it).
     */
    static Replayed replay(final WalOptions options, final Map<String, Long> mustSurvive, final long seed,
        final String context)
    {
        final Map<String, Long> lastOf = new java.util.TreeMap<>();
        long total = 0;
        try (Wal wal = Wal.open(options))
        {
            for (final Map.Entry<String, Long> e : mustSurvive.entrySet())
            {
                final String collection = e.getKey();
                final long checkpoint = wal.collection(collection).checkpointSequence();
                long expected = checkpoint + 1;
                try (WalReplay replay = wal.replay(collection, checkpoint + 1))
                {
                    while (replay.hasNext())
                    {
                        final WalRecord r = replay.next();
                        final long want = expected;
                        assertEquals(want, r.sequence(), () -> context + ": " + collection + " jumps from " + (want - 1) +
                            " to " + r.sequence());
                        final String wrong = Payloads.check(seed, collection, r.sequence(), r.key(), r.value());
                        assertNull(wrong, () -> context + ": " + collection + "#" + r.sequence() + ": " + wrong);
                        expected++;
                        total++;
                    }
                }
                final long last = expected - 1;
                assertTrue(last >= e.getValue(), () -> context + ": " + collection + " must keep up to " +
                    e.getValue() + " (the ack log's witness) but only " + last + " replay");
                assertEquals(last, wal.collection(collection).lastSequence(), context + ": next sequence of " +
                    collection);
                System.out.printf("%s: %s must keep %d, replayed %d..%d%n", context, collection, e.getValue(),
                    checkpoint + 1, last);
                if (last > checkpoint)
                {
                    wal.collection(collection).checkpoint(last);
                }
                lastOf.put(collection, last);
            }
        }
        return new Replayed(total, lastOf);
    }
}
