package dev.spindle.metrics.micrometer;

import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binder on a {@link SimpleMeterRegistry}: after 100 entries appended one by one with {@code Always} on two
 * lanes, the registry shows, per lane, exactly the entries written there, one fsync per entry and one commit time per batch,
 * percentiles that were recorded, a healthy lane, and the tags given.
 */
class SpindleMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void theRegistryShowsWhatEachLaneDid()
    {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(dir.resolve("a").toString(), dir.resolve("b").toString())
            .syncMode(SyncMode.Always).build()))
        {
            new SpindleMetrics(wal::metrics, Tags.of("wal", "orders"), 0, TimeUnit.SECONDS).bindTo(registry);
            final WalCollection c = wal.collection("c");
            final Entry e = new Entry();
            for (int i = 1; i <= 100; i++)
            {
                c.append(e.clear().value(new byte[100]));
                c.awaitAcknowledged(i);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && (wal.metrics().lanes().stream().mapToLong(l -> l.entries()).sum() < 100 ||
                wal.metrics().lanes().stream().anyMatch(l -> l.commit().count() != l.batches())))
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);    // recorded just after the ack
            }
            double entries = 0;
            for (final String lane : new String[]{"0", "1"})
            {
                final double written = registry.get("spindle.lane.entries").tags("wal", "orders", "lane", lane)
                    .functionCounter().count();
                final FunctionTimer fsync = registry.get("spindle.lane.fsync").tags("lane", lane).functionTimer();
                assertEquals(written, fsync.count(), "Always: one fsync per entry in lane " + lane);
                assertEquals(registry.get("spindle.lane.batches").tags("lane", lane).functionCounter().count(),
                    registry.get("spindle.lane.commit").tags("lane", lane).functionTimer().count(),
                    "one commit time per batch");
                assertEquals(0, registry.get("spindle.lane.failed").tags("lane", lane).gauge().value());
                if (written > 0)
                {
                    assertTrue(fsync.totalTime(TimeUnit.NANOSECONDS) > 0);
                    assertTrue(registry.get("spindle.lane.fsync.percentile").tags("lane", lane, "quantile", "0.99")
                        .timeGauge().value(TimeUnit.NANOSECONDS) > 0);
                }
                entries += written;
            }
            assertEquals(100, entries, "every entry in one lane");
        }
    }
}
