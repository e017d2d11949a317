package dev.spindle.cli.bench;

import java.util.Locale;

/**
 * One measured point of the sweep: a setting at an offered load.
 *
 * @param load the fraction of the setting's saturation throughput offered, or 1 for the saturation run itself
 *     (no rate: as fast as the WAL takes entries).
 * @param offered entries/s offered, 0 at saturation.
 */
public record SweepPoint(SweepGrid.Setting setting, double load, long offered, LoadGenerator.Result result)
{
    public static final String CSV_HEADER = "sync_mode,memory_flush_size_bytes,flush_interval_ms,ring_buffer_size," +
        "load,offered_entries_per_sec,entries_per_sec,mb_per_sec,p50_us,p99_us,p999_us,max_us,generator_late_p99_us";

    public boolean saturation()
    {
        return offered == 0;
    }

    public double entriesPerSecond()
    {
        return result.entriesPerSecond();
    }

    public double megabytesPerSecond()
    {
        return result.megabytesPerSecond();
    }

    /**
     * @return the acknowledgement p99 in µs (at least 1, so that ratios stay finite).
     */
    public long p99()
    {
        return Math.max(1, result.latencyMicros().getValueAtPercentile(99));
    }

    /**
     * @return "saturation" or "50%".
     */
    public String loadLabel()
    {
        return saturation() ? "saturation" : String.format(Locale.ROOT, "%.0f%%", load * 100);
    }

    public String csv()
    {
        return String.format(Locale.ROOT, "%s,%d,%s,%d,%s,%d,%.0f,%.2f,%d,%d,%d,%d,%d", setting.syncMode(),
            setting.flushSizeBytes(), setting.flushIntervalMs() > 0 ? Long.toString(setting.flushIntervalMs()) : "",
            setting.ringSize(), saturation() ? "saturation" : String.format(Locale.ROOT, "%.2f", load), offered,
            entriesPerSecond(), megabytesPerSecond(), result.latencyMicros().getValueAtPercentile(50), p99(),
            result.latencyMicros().getValueAtPercentile(99.9), result.latencyMicros().getMaxValue(),
            result.lateMicros().getValueAtPercentile(99));
    }
}
