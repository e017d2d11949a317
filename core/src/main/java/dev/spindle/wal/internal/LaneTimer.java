package dev.spindle.wal.internal;

import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.lane.Lane;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of a WAL: it publishes a tick into every lane's ring (never blocking), at least every
 * second, every {@code flush_interval_ms} for {@code Periodic}, and often enough for {@code segment_max_age_ms}.
 * The lane thread does the work a tick asks for.
 */
final class LaneTimer implements AutoCloseable
{
    private final Lane[] lanes;
    private final long intervalMs;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "spindle-ticker");
        t.setDaemon(true);
        return t;
    });

    LaneTimer(final Lane[] lanes, final WalOptions options)
    {
        this.lanes = lanes;
        long interval = 1000;
        if (options.syncMode() == SyncMode.Periodic)
        {
            interval = Math.min(interval, options.flushIntervalMs());
        }
        if (options.segmentMaxAgeMs() > 0)
        {
            interval = Math.min(interval, Math.max(10, options.segmentMaxAgeMs() / 10));
        }
        this.intervalMs = interval;
    }

    void start()
    {
        ticker.scheduleAtFixedRate(() -> {
            for (final Lane lane : lanes)
            {
                lane.tick();
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        ticker.shutdownNow();
        try
        {
            ticker.awaitTermination(5, TimeUnit.SECONDS);    // a tick under way finishes before the close goes on
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
