package dev.spindle.cli;

import dev.spindle.cli.bench.LoopDisks;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow-disk detection on a real slow disk: lane 0 on a loop-mounted ext4 whose writes cgroup blkio throttles to
 * 8 KiB/s (every fsync then takes about 400 ms), lane 1 on the test's own disk; {@code sync_mode = Always},
 * {@code slow_sync_ms = 100}. After a dozen appends to lane 0's collection, lane 0 is reported slow (its fsync p99
 * over the last minute in {@code Wal.metrics()}) and lane 1 is not; {@code LoadBalanced} then gives every new
 * collection lane 1, although lane 1 holds more. Needs root (losetup, mount, cgroups), as the power-loss test does.
 */
class SlowDiskTest
{
    @TempDir
    Path dir;

    @Test
    void aLaneOnAThrottledDiskIsReportedSlowAndNewCollectionsAvoidIt() throws Exception
    {
        Child.requireRoot("loop devices, mounts and cgroups need root");
        final StringWriter log = new StringWriter();
        try (LoopDisks disks = LoopDisks.create(dir, 1, 64L << 20, 8 << 10, new AtomicBoolean(),
            new PrintWriter(log)))
        {
            final WalOptions options = WalOptions.builder()
                .walUrls(disks.mounts().get(0).resolve("lane0").toString(), dir.resolve("lane1").toString())
                .syncMode(SyncMode.Always).collectionAffinity(true)
                .distributionStrategy(DistributionStrategy.LoadBalanced).slowSyncMs(100).build();
            try (Wal wal = Wal.open(options))
            {
                final WalCollection first = wal.collection("c0");
                final WalCollection second = wal.collection("c1");
                final Entry e = new Entry().value(new byte[1024]);
                first.awaitAcknowledged(first.append(e));
                second.awaitAcknowledged(second.append(e));
                final WalCollection onSlow = laneOf(wal, "c0") == 0 ? first : second;
                assertEquals(0, laneOf(wal, onSlow.name()), "one collection on each lane");
                for (int i = 0; i < 12; i++)
                {
                    assertTrue(onSlow.awaitAcknowledged(onSlow.append(e), 60, TimeUnit.SECONDS));
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                WalMetrics m = wal.metrics();
                while (!m.lanes().get(0).slow() && System.nanoTime() - deadline < 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));    // the timer looks every second
                    m = wal.metrics();
                }
                final WalMetrics.Lane slow = m.lanes().get(0);
                assertTrue(slow.slow(), "lane 0's fsync p99 over the last minute: " +
                    TimeUnit.NANOSECONDS.toMillis(slow.syncP99LastMinute()) + " ms over " + slow.sync().count() +
                    " fsyncs");
                assertTrue(slow.syncP99LastMinute() > TimeUnit.MILLISECONDS.toNanos(100));
                assertFalse(m.lanes().get(1).slow(), "lane 1's p99: " +
                    TimeUnit.NANOSECONDS.toMillis(m.lanes().get(1).syncP99LastMinute()) + " ms");

                for (int c = 2; c < 6; c++)
                {
                    final WalCollection added = wal.collection("c" + c);
                    added.awaitAcknowledged(added.append(e));
                    assertEquals(1, laneOf(wal, added.name()), "a new collection avoids the slow lane");
                }
            }
        }
    }

    private static int laneOf(final Wal wal, final String collection)
    {
        final WalStats stats = wal.stats();
        for (int l = 0; l < stats.lanes().size(); l++)
        {
            if (stats.lanes().get(l).collections().stream().anyMatch(s -> s.collection().equals(collection)))
            {
                return l;
            }
        }
        return -1;
    }
}
