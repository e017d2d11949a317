package dev.spindle.metrics.micrometer;

import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * README's usage, {@code new SpindleMetrics(wal).bindTo(registry)}, keeps no reference to the binder. Micrometer
 * holds a meter's state weakly; the binder's gauges hold it strongly, so after a garbage collection every meter
 * still reads the WAL (before, the gauges read NaN and the counters stopped at their last value: a review's
 * finding).
 */
class SpindleMetricsGcTest
{
    @TempDir
    Path dir;

    @Test
    void metricsKeepWorkingAfterAGarbageCollection() throws Exception
    {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(dir.resolve("a").toString())
            .syncMode(SyncMode.Always).build()))
        {
            SpindleMetrics binder = new SpindleMetrics(wal::metrics, Tags.empty(), 0, TimeUnit.SECONDS);
            binder.bindTo(registry);    // as README's new SpindleMetrics(wal).bindTo(registry), snapshots never reused
            final WeakReference<SpindleMetrics> held = new WeakReference<>(binder);
            binder = null;
            for (int i = 0; i < 3; i++)
            {
                System.gc();    // a binder only Micrometer's weak references held would be gone now
            }
            assertNotNull(held.get(), "the registry's gauges keep the binder");
            final WalCollection c = wal.collection("c");
            final Entry e = new Entry();
            for (int i = 1; i <= 10; i++)
            {
                c.append(e.clear().value(new byte[100]));
                c.awaitAcknowledged(i);
            }
            final long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (wal.metrics().lanes().get(0).entries() < 10 && System.nanoTime() < settle)
            {
                Thread.onSpinWait();    // recorded just after the acknowledgement
            }
            final double failed = registry.get("spindle.lane.failed").gauge().value();
            final double entries = registry.get("spindle.lane.entries").functionCounter().count();
            assertFalse(Double.isNaN(failed), "spindle.lane.failed reads NaN: the binder was collected (" +
                (held.get() == null) + ")");
            assertEquals(10, entries, "spindle.lane.entries");
        }
    }
}
