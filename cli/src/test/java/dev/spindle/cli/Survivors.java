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
        long total = 0;
        try (Wal wal = Wal.open(options))
        {
            for (final Map.Entry<String, Long> e : acknowledged.entrySet())
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
                assertTrue(last >= e.getValue(), () -> context + ": " + collection + " acknowledged up to " +
                    e.getValue() + " but only " + last + " replay");
                assertEquals(last, wal.collection(collection).lastSequence(), context + ": next sequence of " +
                    collection);
                System.out.printf("%s: %s acknowledged %d, replayed %d..%d%n", context, collection, e.getValue(),
                    checkpoint + 1, last);
                if (last > checkpoint)
                {
                    wal.collection(collection).checkpoint(last);
                }
            }
        }
        return total;
    }
}
