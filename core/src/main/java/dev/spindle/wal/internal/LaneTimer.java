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

    /**
     * Publishing the lanes' metrics writes files, and a slow or hung disk must not hold up the ticks of every
     * lane: it runs on a thread of its own, once a second (a publish still under way makes the next wait).
     */
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "spindle-metrics-publisher");
        t.setDaemon(true);
        return t;
    });

    void start()
    {
        ticker.scheduleAtFixedRate(() -> {
            for (final Lane lane : lanes)
            {
                lane.tick();
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        publisher.scheduleWithFixedDelay(() -> {
            for (final Lane lane : lanes)
            {
                lane.publishMetrics(true);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close()
    {
        ticker.shutdownNow();
        publisher.shutdown();    // not shutdownNow: an interrupt would close the file a publish is writing
        try
        {
            ticker.awaitTermination(5, TimeUnit.SECONDS);    // a tick under way finishes before the close goes on
            publisher.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
