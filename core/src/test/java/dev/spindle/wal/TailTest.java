package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.appendBatch;
import static dev.spindle.wal.SegmentSurgery.assertSameRecord;
import static dev.spindle.wal.SegmentSurgery.drain;
import static dev.spindle.wal.SegmentSurgery.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Wal#tail} (in the writer's process, woken by the writer) and {@link WalReader#tail} (from the files, as
 * another process sees them): every entry appended after the tail started and before, from the sequence asked
 * for, in order, with its payload, across segment rolls (64 KiB segments), two lanes with and without affinity,
 * both io_modes, checkpoints that free what was delivered (and what was not yet), and, for the file tail, restarts
 * of the writer.
 */
class TailTest
{
    private static final long DEADLINE_SECONDS = 60;

    @TempDir
    Path dir;

    private WalOptions options(final IoMode ioMode, final boolean affinity)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, ioMode, dir.resolve("a"), dir.resolve("b"))
            .collectionAffinity(affinity).distributionStrategy(DistributionStrategy.RoundRobin).build();
    }

    /** Records what a tail delivers; the handler runs on the tail's thread. */
    static final class Sink implements Consumer<WalRecord>
    {
        final List<WalRecord> records = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accept(final WalRecord record)
        {
            records.add(record);
        }

        List<WalRecord> snapshot()
        {
            synchronized (records)
            {
                return new ArrayList<>(records);
            }
        }
    }

    /** The records must be exactly {@code first..last}, each with the payload appended as that sequence. */
    private static void assertDelivered(final List<WalRecord> records, final long first, final long last)
    {
        assertEquals(last - first + 1, records.size(), "delivered " + records.size() + " records");
        final Entry expected = new Entry();
        for (int i = 0; i < records.size(); i++)
        {
            final WalRecord r = records.get(i);
            assertEquals(first + i, r.sequence(), "in order, without a gap");
            assertEquals(COLLECTION, r.collection());
            final Entry e = entry(expected, r.sequence());
            assertEquals(new String(e.key()), new String(r.key()), "the payload of " + r.sequence());
            assertEquals(new String(e.value()), new String(r.value()), "the payload of " + r.sequence());
        }
    }

    private static void await(final WalTail tail, final long sequence) throws InterruptedException
    {
        assertTrue(tail.awaitDelivered(sequence, DEADLINE_SECONDS, TimeUnit.SECONDS),
            () -> "delivered up to " + tail.lastDelivered() + " of " + sequence + " (" + tail.failure() + ")");
    }

    @ParameterizedTest
    @CsvSource({"pwrite, true", "pwrite, false", "mmap, true", "mmap, false"})
    void aTailInTheWritersProcessDeliversEveryAcknowledgedEntryInOrderAcrossRollsAndLanes(final IoMode ioMode,
        final boolean affinity) throws Exception
    {
        final Sink sink = new Sink();
        try (Wal wal = Wal.open(options(ioMode, affinity)))
        {
            final WalCollection c = wal.collection(COLLECTION);
            appendBatch(c, 700);                                       // before the tail starts
            try (WalTail tail = wal.tail(COLLECTION, 1, sink))
            {
                for (int i = 0; i < 40; i++)
                {
                    appendBatch(c, 100);                               // about 2 MiB: many segment rolls
                }
                await(tail, 4_700);
                assertTrue(tail.isRunning());
                assertNull(tail.failure());
            }
            assertDelivered(sink.snapshot(), 1, 4_700);
            final List<WalRecord> replayed = drain(wal.replay(COLLECTION, 1));
            for (int i = 0; i < replayed.size(); i++)
            {
                assertSameRecord(replayed.get(i), sink.snapshot().get(i));
            }
        }
    }

    @Test
    void aTailFromTheMiddleStartsThereAndEndsWhenTheWalCloses() throws Exception
    {
        final Sink sink = new Sink();
        final WalTail tail;
        try (Wal wal = Wal.open(options(IoMode.pwrite, true)))
        {
            final WalCollection c = wal.collection(COLLECTION);
            appendBatch(c, 1_000);
            tail = wal.tail(COLLECTION, 900, sink);
            appendBatch(c, 100);
            await(tail, 1_100);
        }
        assertFalse(tail.isRunning(), "the WAL's close ends its tails");
        assertNull(tail.failure(), "a close is not a failure");
        assertDelivered(sink.snapshot(), 900, 1_100);
    }

    @Test
    void aCheckpointFreesWhatTheTailDeliveredAndWhatItHadNotReachedAndTheTailGoesOn() throws Exception
    {
        try (Wal wal = Wal.open(options(IoMode.pwrite, true)))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Sink first = new Sink();
            try (WalTail tail = wal.tail(COLLECTION, 1, first))
            {
                appendBatch(c, 2_000);
                await(tail, 2_000);
                c.checkpoint(1_500);                                  // frees sealed segments it delivered
                appendBatch(c, 1_000);
                await(tail, 3_000);
            }
            assertDelivered(first.snapshot(), 1, 3_000);

            // a tail from 1 now: what the checkpoint freed is skipped, the rest comes without a gap
            final Sink late = new Sink();
            try (WalTail tail = wal.tail(COLLECTION, 1, late))
            {
                await(tail, 3_000);
            }
            final List<WalRecord> got = late.snapshot();
            final long from = got.get(0).sequence();
            assertTrue(from > 1 && from <= 1_501, "starts within what the checkpoint kept: " + from);
            assertDelivered(got, from, 3_000);
        }
    }

    @Test
    void aHandlerThatThrowsStopsTheTailAndIsReported() throws Exception
    {
        try (Wal wal = Wal.open(options(IoMode.pwrite, true)))
        {
            final WalCollection c = wal.collection(COLLECTION);
            appendBatch(c, 10);
            final WalTail tail = wal.tail(COLLECTION, 1, r ->
            {
                if (r.sequence() == 5)
                {
                    throw new IllegalStateException("handler refuses 5");
                }
            });
            assertFalse(tail.awaitDelivered(10, DEADLINE_SECONDS, TimeUnit.SECONDS), "it stops at 5");
            assertEquals(4, tail.lastDelivered());
            assertNotNull(tail.failure());
            assertEquals("handler refuses 5", tail.failure().getMessage());
            assertFalse(tail.isRunning());
            tail.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"pwrite, true", "mmap, false"})
    void aTailFromTheFilesFollowsTheWriterAcrossRollsCheckpointsAndRestarts(final IoMode ioMode,
        final boolean affinity) throws Exception
    {
        final WalOptions options = options(ioMode, affinity);
        final Sink sink = new Sink();
        try (Wal wal = Wal.open(options))
        {
            appendBatch(wal.collection(COLLECTION), 500);
        }
        try (WalTail tail = WalReader.tail(options, COLLECTION, 1, sink))
        {
            await(tail, 500);                                          // from a closed WAL
            for (int restart = 0; restart < 3; restart++)
            {
                try (Wal wal = Wal.open(options))                     // the reader holds no lock
                {
                    final WalCollection c = wal.collection(COLLECTION);
                    for (int i = 0; i < 10; i++)
                    {
                        appendBatch(c, 100);
                    }
                    await(tail, c.lastSequence());                   // while it writes
                    c.checkpoint(c.lastSequence() - 300);
                    appendBatch(c, 50);
                    await(tail, c.lastSequence());
                }
            }
            assertTrue(tail.isRunning());
        }
        assertDelivered(sink.snapshot(), 1, 500 + 3 * 1_050);
    }

    @Test
    void aTailOfACollectionNotWrittenYetWaitsForItsFirstEntry() throws Exception
    {
        final WalOptions options = options(IoMode.pwrite, true);
        final Sink sink = new Sink();
        try (WalTail tail = WalReader.tail(options, COLLECTION, 1, sink))
        {
            try (Wal wal = Wal.open(options))
            {
                appendBatch(wal.collection(COLLECTION), 300);
                await(tail, 300);
            }
        }
        assertDelivered(sink.snapshot(), 1, 300);
    }

    @Test
    void aCollectionNameThatTriesToEscapeIsRefused()
    {
        final WalOptions options = options(IoMode.pwrite, true);
        assertThrows(IllegalArgumentException.class, () -> WalReader.tail(options, "../etc", 1, r -> { }));
    }
}
