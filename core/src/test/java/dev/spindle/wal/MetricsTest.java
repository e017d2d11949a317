package dev.spindle.wal;

import dev.spindle.wal.remote.MemoryObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Wal#metrics()} after known workloads: counts that must come out exactly (one fsync per entry with
 * {@code Always}, and per block forced at {@code memory_flush_size_bytes}; one commit and one ring wait per batch;
 * batch sizes that add up to the entries), counts that only grow, seals and uploads once segments fill, and a
 * failed lane named. Never a timing: only that times were recorded.
 */
class MetricsTest
{
    @TempDir
    Path dir;

    private static long sum(final WalMetrics.Distribution d)
    {
        return Math.round(d.mean() * d.count());
    }

    /**
     * A lane records a batch's metrics just after it publishes the batch's watermark: wait (up to 10 s) until every
     * lane has recorded {@code entries} entries in all and the times of every batch it counted.
     */
    private static WalMetrics settled(final Wal wal, final long entries)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final WalMetrics m = wal.metrics();
            long total = 0;
            boolean whole = true;
            for (final WalMetrics.Lane lane : m.lanes())
            {
                total += lane.entries();
                whole &= lane.commit().count() == lane.batches() && lane.ringWait().count() == lane.batches();
            }
            if (total == entries && whole || System.nanoTime() - deadline >= 0)
            {
                return m;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Append {@code n} entries of 1 KiB and wait until they are acknowledged; @return the last sequence. */
    private static long appendKiB(final WalCollection c, final int n)
    {
        final Entry e = new Entry();
        final byte[] value = new byte[1024];
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            last = c.append(e.clear().value(value));
        }
        c.awaitAcknowledged(last);
        return last;
    }

    @Test
    void withAlwaysEveryEntryIsOneFsyncAndEveryBatchOneRingWaitAndOneCommit() throws Exception
    {
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.Always, IoMode.pwrite, dir.resolve("a")).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            for (long i = 1; i <= 200; i++)
            {
                c.append(entry(e, i));
                c.awaitAcknowledged(i);
            }
            final WalMetrics.Lane lane = settled(wal, 200).lanes().get(0);
            assertEquals(200, lane.entries());
            assertEquals(200, lane.sync().count(), "exactly one fsync per entry");
            assertEquals(lane.batches(), lane.ringWait().count(), "one ring wait per batch (its oldest entry)");
            assertEquals(lane.batches(), lane.commit().count());
            assertEquals(lane.batches(), lane.batchEntries().count());
            assertEquals(200, sum(lane.batchEntries()), "the batches hold every entry");
            assertEquals(lane.bytes(), sum(lane.batchBytes()));
            assertTrue(lane.bytes() > 200 * 10, "encoded bytes: " + lane.bytes());
            assertTrue(lane.sync().max() > 0 && lane.commit().max() >= lane.sync().p50(), "times were recorded");
            assertNull(lane.failure());
            assertEquals(0, lane.uploads());
            assertEquals(WalMetrics.Distribution.EMPTY, lane.uploadLag());
        }
    }

    @Test
    void countsOnlyGrowAndFullSegmentsAreSealedAndCounted() throws Exception
    {
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.PerBatch, IoMode.mmap, dir.resolve("a"),
            dir.resolve("b")).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            appendKiB(c, 100);
            final WalMetrics first = wal.metrics();
            for (int i = 0; i < 30; i++)
            {
                appendKiB(c, 100);    // about 3 MiB over 64 KiB segments
            }
            final WalMetrics second = settled(wal, 3_100);
            long entries = 0;
            for (int l = 0; l < 2; l++)
            {
                final WalMetrics.Lane a = first.lanes().get(l);
                final WalMetrics.Lane b = second.lanes().get(l);
                assertEquals(l, b.index());
                assertTrue(b.entries() >= a.entries() && b.batches() >= a.batches() && b.bytes() >= a.bytes());
                assertTrue(b.sync().count() >= a.sync().count() && b.commit().count() >= a.commit().count());
                assertTrue(b.sync().count() <= b.batches(), "PerBatch: at most one fsync per batch");
                assertEquals(b.batches(), b.commit().count());
                entries += b.entries();
            }
            assertEquals(3_100, entries, "every entry in exactly one lane");
            final WalMetrics.Lane used = second.lanes().get(0).entries() > 0 ? second.lanes().get(0) :
                second.lanes().get(1);
            assertTrue(used.seal().count() >= 10, "full 64 KiB segments were sealed: " + used.seal().count());
            assertTrue(used.sync().count() > 0);
        }
    }

    @Test
    void aRemoteLaneCountsItsUploadsAndTheirLag() throws Exception
    {
        MemoryObjectStore.serve("metrics");
        final WalOptions options = WalOptions.builder().walUrls("mem://metrics/wal")
            .stagingDir(dir.resolve("staging")).diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE)
            .segmentMaxAgeMs(100).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(COLLECTION);
            long last = 0;
            for (int i = 0; i < 20; i++)
            {
                last = appendKiB(c, 100);
            }
            assertTrue(c.awaitRemoteDurable(last, 30, TimeUnit.SECONDS), "every segment sealed and uploaded");
            final WalMetrics.Lane lane = wal.metrics().lanes().get(0);
            assertTrue(lane.uploads() > 0, "uploads: " + lane.uploads());
            assertEquals(lane.uploads(), lane.uploadLag().count(), "one lag per upload");
            assertTrue(lane.uploadedBytes() > lane.uploads() * 1024, "bytes: " + lane.uploadedBytes());
            assertEquals(0, lane.uploadRetries());
            assertEquals("mem://metrics/wal", lane.url());
        }
    }

    /**
     * PerBatch with memory_flush_size_bytes passed inside a batch: the block is written and forced right there, and
     * that fdatasync counts (a review found none of them counted: the batch's own forceAll had nothing left).
     */
    @Test
    void fsyncsMadeAtMemoryFlushSizeCount() throws Exception
    {
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, dir.resolve("a"))
            .memoryFlushSizeBytes(4096).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            final byte[] value = new byte[8192];    // one entry passes memory_flush_size_bytes on its own
            for (long i = 1; i <= 50; i++)
            {
                c.append(e.clear().value(value));
                c.awaitAcknowledged(i);
            }
            final WalMetrics.Lane lane = settled(wal, 50).lanes().get(0);
            assertEquals(50, lane.batches());
            assertEquals(50, lane.sync().count(), "one fdatasync per entry");
        }
    }

    @Test
    void aFailedLaneSaysWhy() throws Exception
    {
        final Path a = dir.resolve("a");
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, a).build()))
        {
            Files.createDirectories(a);
            Files.writeString(a.resolve("blocked"), "a regular file where the collection's directory goes");
            final WalCollection blocked = wal.collection("blocked");
            assertThrows(WalException.class, () -> blocked.awaitAcknowledged(blocked.append(entry(new Entry(), 1)),
                30, TimeUnit.SECONDS));
            final WalMetrics.Lane lane = wal.metrics().lanes().get(0);
            assertTrue(lane.failed());
            assertNotNull(lane.failure());
        }
        catch (final WalException closing)
        {
            // the close reports the failed lane too
        }
    }
}
