package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the WalMetrics javadoc and the README say two metrics are (a review's findings, each failing before its
 * fix): every fsync counts, also those memory_flush_size_bytes makes in the middle of a batch; and with Always the
 * entries' writes and fsyncs are not counted as encoding.
 */
class MetricsReviewTest
{
    @TempDir
    Path dir;

    private static WalMetrics.Lane settled(final Wal wal, final long entries)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final WalMetrics.Lane lane = wal.metrics().lanes().get(0);
            if (lane.entries() == entries && lane.commit().count() == lane.batches() ||
                System.nanoTime() - deadline >= 0)
            {
                return lane;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * PerBatch with memory_flush_size_bytes reached inside a batch: BatchWriter.write() forces the segment there
     * (segment.force()) without metrics.sync(), and commitBatch's forceAll then finds nothing dirty. Each entry
     * below is one real fdatasync; WalMetrics documents `sync` as "per fsync".
     */
    @Test
    void perBatchForcesAtMemoryFlushSizeAreCountedAsFsyncs() throws Exception
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
            final WalMetrics.Lane lane = settled(wal, 50);
            assertEquals(50, lane.batches());
            assertEquals(50, lane.sync().count(), "one fdatasync per entry happened; sync counted " +
                lane.sync().count());
        }
    }

    /**
     * Always: each entry's closeBlock + force happen in write(), i.e. inside `encode`; commitBatch's closeBlock has
     * nothing left, so `write` measures nothing and `encode` holds the pwrite and the fsync. The javadoc says encode
     * is "encoding, segment rolls" and write is "the pwrite"; README's healthy encode is "microseconds".
     */
    @Test
    void alwaysEncodeDoesNotHoldTheFsync() throws Exception
    {
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.Always, IoMode.pwrite, dir.resolve("a")).build()))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            for (long i = 1; i <= 100; i++)
            {
                SegmentSurgery.entry(e, i);
                c.append(e);
                c.awaitAcknowledged(i);
            }
            final WalMetrics.Lane lane = settled(wal, 100);
            assertTrue(lane.encode().mean() < lane.sync().mean(), "encode mean " + lane.encode().mean() +
                " ns >= fsync mean " + lane.sync().mean() + " ns: the fsync is inside encode; write mean " +
                lane.write().mean() + " ns");
        }
    }
}
