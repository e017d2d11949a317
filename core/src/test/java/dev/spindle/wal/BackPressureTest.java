package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sequences;
import static dev.spindle.wal.WalTestSupport.walk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code global_flush_threshold}: appenders are delayed while too many bytes are in flight (never
 * dropped, never deadlocked); a {@code MemoryOnly} WAL refuses appends past it until checkpoints free
 * memory.
 */
class BackPressureTest
{
    private static final int THREADS = 4;
    private static final int PER_THREAD = 300;
    private static final long MEMORY_THRESHOLD = WalOptions.MIB;

    @TempDir
    Path dir;

    @Test
    void shouldDelayButNeverDropAppendsWhenInFlightBytesExceedTheThreshold() throws Exception
    {
        final WalOptions options = WalOptions.builder()
            .walUrls(dir.resolve("lane0").toString(), dir.resolve("lane1").toString())
            .syncMode(SyncMode.Always)
            .globalFlushThresholdBytes(64 * 1024)
            .diskSegmentSizeBytes(256 * 1024)
            .build();
        final List<String> names = List.of("bp-0", "bp-1", "bp-2", "bp-3");
        try (Wal wal = Wal.open(options))
        {
            final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try
            {
                final List<Future<Long>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final int thread = t;
                    results.add(pool.submit(() -> {
                        // each thread writes its own collection, plus every 10th entry to a shared one
                        final WalCollection own = wal.collection(names.get(thread));
                        final WalCollection shared = wal.collection("bp-shared");
                        final Entry entry = new Entry();
                        final byte[] value = new byte[1024];
                        long last = 0;
                        for (int i = 1; i <= PER_THREAD; i++)
                        {
                            ByteBuffer.wrap(value).putInt(thread).putInt(i);
                            last = own.append(entry.clear().value(value));
                            assertEquals(i, last);
                            if (i % 10 == 0)
                            {
                                shared.append(entry.clear().value(value));
                            }
                        }
                        own.awaitAcknowledged(last);
                        return last;
                    }));
                }
                for (final Future<Long> f : results)
                {
                    assertEquals(PER_THREAD, f.get(60, TimeUnit.SECONDS), "the producer finished");
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            final WalCollection shared = wal.collection("bp-shared");
            final long sharedCount = THREADS * PER_THREAD / 10;
            assertEquals(sharedCount, shared.lastSequence());
            shared.awaitAcknowledged(sharedCount);
            for (int t = 0; t < THREADS; t++)
            {
                final List<WalRecord> records = replayAll(wal.collection(names.get(t)), 1);
                assertEquals(range(1, PER_THREAD), sequences(records));
                for (int i = 1; i <= PER_THREAD; i++)
                {
                    final ByteBuffer v = ByteBuffer.wrap(records.get(i - 1).value());
                    assertEquals(t, v.getInt());
                    assertEquals(i, v.getInt());
                }
            }
            assertEquals(range(1, sharedCount), sequences(replayAll(shared, 1)));
        }
        try (Wal wal = Wal.open(options))
        {
            for (final String name : names)
            {
                assertEquals(range(1, PER_THREAD), sequences(replayAll(wal.collection(name), 1)), name);
            }
            assertEquals(range(1, THREADS * PER_THREAD / 10), sequences(replayAll(wal.collection("bp-shared"), 1)));
        }
    }

    private static WalOptions memoryOnly(final Path dir)
    {
        return WalOptions.builder()
            .walUrls(dir.resolve("mem").toString())
            .syncMode(SyncMode.MemoryOnly)
            .globalFlushThresholdBytes(MEMORY_THRESHOLD)
            .diskSegmentSizeBytes(64 * 1024)
            .build();
    }

    /**
     * Append until the WAL refuses.
     *
     * @return how many appends were accepted; the refusal is checked to name checkpoints.
     */
    private static int fillUntilRefused(final WalCollection c, final int valueSize, final int max)
    {
        final Entry entry = new Entry();
        final byte[] value = new byte[valueSize];
        for (int i = 0; i < max; i++)
        {
            ByteBuffer.wrap(value).putLong(c.lastSequence() + 1);
            try
            {
                final long seq = c.append(entry.clear().value(value));
                if (i % 64 == 0)
                {
                    c.awaitAcknowledged(seq); // let the lane account for what it holds
                }
            }
            catch (final WalException refused)
            {
                assertTrue(refused.getMessage().contains("checkpoint"),
                    "the refusal says what to do: " + refused.getMessage());
                return i;
            }
        }
        return max;
    }

    @Test
    void shouldRefuseAppendsBeyondTheThresholdUntilACheckpointFreesMemoryWhenMemoryOnly()
    {
        final Path lanes = dir.resolve("mem");
        try (Wal wal = Wal.open(memoryOnly(dir)))
        {
            final WalCollection c = wal.collection("mem");
            final int accepted = fillUntilRefused(c, 1024, 10_000);
            assertTrue(accepted < 10_000, "the WAL refused appends past 1 MiB");
            assertTrue(accepted > 500 && accepted <= 1024, "about 1 MiB of 1 KiB entries was accepted: " + accepted);
            assertEquals(accepted, c.lastSequence(), "a refused append takes no sequence");
            c.awaitAcknowledged(accepted);
            // in-flight entries count at their encoded-size bound, stored ones at their size: once acknowledged,
            // a few more may fit. Fill those, then it stays refused while nothing is freed
            int topUp = 0;
            for (int round = 0; round < 20; round++)
            {
                final int more = fillUntilRefused(c, 1024, 10_000);
                c.awaitAcknowledged(c.lastSequence());
                if (more == 0)
                {
                    break;     // refused with nothing in flight: a stable refusal
                }
                topUp += more;
            }
            assertTrue(topUp < 100, "only the slack between bound and size: " + topUp);
            assertThrows(WalException.class, () -> c.append(new Entry().value(new byte[1024])));

            final long held = c.lastSequence();
            c.checkpoint(c.acknowledgedSequence());
            final long next = c.append(new Entry().value(new byte[1024]));
            assertEquals(held + 1, next, "appends continue after a checkpoint, with the next sequence");
            c.awaitAcknowledged(next);
            final int more = fillUntilRefused(c, 1024, 10_000);
            assertTrue(more > 500, "a checkpoint freed most of the memory: " + more + " more appends");
            c.awaitAcknowledged(c.lastSequence());
            final List<Long> left = sequences(replayAll(c, 1));
            assertEquals(range(left.get(0), c.lastSequence()), left, "what is held replays without a gap");
        }
        assertEquals(List.of(), walk(lanes));
    }

    /**
     * Fill, checkpoint everything, again and again: each checkpoint must give back what the entries it
     * frees took, so the WAL keeps accepting about as much as the first time.
     */
    @Test
    void shouldAcceptAsMuchAfterEveryCheckpointCycleWhenMemoryOnly()
    {
        for (final int valueSize : new int[]{1024, 16})
        {
            try (Wal wal = Wal.open(memoryOnly(dir)))
            {
                final WalCollection c = wal.collection("cycles-" + valueSize);
                final int first = fillUntilRefused(c, valueSize, 1_000_000);
                final List<Integer> accepted = new ArrayList<>();
                accepted.add(first);
                for (int cycle = 1; cycle <= 8; cycle++)
                {
                    c.awaitAcknowledged(c.lastSequence());
                    c.checkpoint(c.acknowledgedSequence());
                    final int n = fillUntilRefused(c, valueSize, 1_000_000);
                    accepted.add(n);
                    // Everything but the active segment (at most 64 KiB of the 1 MiB) was freed each time
                    assertTrue(n >= first * 3 / 4, "value size " + valueSize + ": cycle " + cycle +
                        " accepted " + n + " appends, the first " + first + " (per cycle: " + accepted + ")");
                }
            }
        }
    }
}
