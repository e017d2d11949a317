package dev.spindle.cli.bench;

import dev.spindle.fs.Sizes;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code spindle bench --sweep} runs: every setting of {@code memory_flush_size_bytes} x
 * {@code sync_mode} x {@code flush_interval_ms} x {@code ring_buffer_size} (the interval only varies for
 * {@code Periodic}, the one mode that reads it), each at saturation and at offered loads that are fractions
 * of that setting's own saturation throughput.
 *
 * @param seconds measured seconds per point.
 * @param warmupSeconds unmeasured seconds before each point (on the same fresh WAL).
 */
public record SweepGrid(List<Long> flushSizes, List<SyncMode> syncModes, List<Long> flushIntervals,
                        List<Integer> ringSizes, List<Double> loads, double seconds, double warmupSeconds, boolean quick)
{
    private static final List<Long> FULL_FLUSH_SIZES = List.of(64 * WalOptions.KIB, 256 * WalOptions.KIB, WalOptions.MIB,
        4 * WalOptions.MIB);
    private static final List<Long> QUICK_FLUSH_SIZES = List.of(256 * WalOptions.KIB, WalOptions.MIB, 4 * WalOptions.MIB);
    private static final List<SyncMode> SYNC_MODES = List.of(SyncMode.PerBatch, SyncMode.Periodic);
    private static final List<Long> FULL_INTERVALS = List.of(10L, 100L);
    private static final List<Long> QUICK_INTERVALS = List.of(100L);
    private static final List<Integer> FULL_RINGS = List.of(1024, 8192, 65536);
    private static final List<Integer> QUICK_RINGS = List.of(1024, 8192);
    private static final List<Double> FULL_LOADS = List.of(0.1, 0.3, 0.5, 0.7, 0.9);
    private static final List<Double> QUICK_LOADS = List.of(0.25, 0.5, 0.8);

    /** One combination of the swept keys. {@code flushIntervalMs} is 0 where the sync mode ignores it. */
    public record Setting(SyncMode syncMode, long flushSizeBytes, long flushIntervalMs, int ringSize)
    {
        /**
         * @return e.g. {@code PerBatch flush=1MiB ring=8192} or {@code Periodic/100ms flush=256KiB ring=1024}.
         */
        public String label()
        {
            return syncMode + (flushIntervalMs > 0 ? "/" + flushIntervalMs + "ms" : "") + " flush=" + size(flushSizeBytes) +
                " ring=" + ringSize;
        }

        /**
         * @return the sync mode: one plot each (the curves of Periodic's intervals share its plot, labelled apart).
         */
        public String family()
        {
            return syncMode.name();
        }

        /**
         * @return true when an acknowledgement means fsync'd (what PerBatch and Always promise).
         */
        public boolean durableAck()
        {
            return syncMode == SyncMode.PerBatch || syncMode == SyncMode.Always;
        }

        public WalOptions.Builder apply(final WalOptions.Builder builder)
        {
            builder.syncMode(syncMode).memoryFlushSizeBytes(flushSizeBytes).ringBufferSize(ringSize);
            if (flushIntervalMs > 0)
            {
                builder.flushIntervalMs(flushIntervalMs);
            }
            return builder;
        }

        /**
         * @return the TOML lines that select this setting.
         */
        public String toml()
        {
            return "sync_mode = \"" + syncMode + "\"\n" +
                "memory_flush_size_bytes = " + flushSizeBytes + "    # " + size(flushSizeBytes) + "\n" +
                (flushIntervalMs > 0 ? "flush_interval_ms = " + flushIntervalMs + "\n" : "") +
                "ring_buffer_size = " + ringSize + "\n";
        }
    }

    /**
     * @param flushSizes, syncModes, flushIntervals, ringSizes, loads: null for the defaults.
     * @param seconds measured seconds per point; not positive for the default.
     * @throws IllegalArgumentException naming the flag of a value out of range.
     */
    public static SweepGrid of(final boolean quick, final List<String> flushSizes, final List<SyncMode> syncModes,
        final List<Long> flushIntervals, final List<Integer> ringSizes, final List<Double> loads, final double seconds)
    {
        final List<Long> sizes = new ArrayList<>();
        if (flushSizes == null)
        {
            sizes.addAll(quick ? QUICK_FLUSH_SIZES : FULL_FLUSH_SIZES);
        }
        else
        {
            for (final String text : flushSizes)
            {
                try
                {
                    sizes.add(Sizes.parse(text));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("--flush-sizes: " + ex.getMessage());
                }
            }
        }
        final List<Long> intervals = flushIntervals == null ? (quick ? QUICK_INTERVALS : FULL_INTERVALS) : flushIntervals;
        for (final long interval : intervals)
        {
            if (interval <= 0)
            {
                throw new IllegalArgumentException("--flush-intervals: " + interval + " is not a positive number of ms");
            }
        }
        final List<Integer> rings = ringSizes == null ? (quick ? QUICK_RINGS : FULL_RINGS) : ringSizes;
        for (final int ring : rings)
        {
            if (ring < 2 || Integer.bitCount(ring) != 1 || ring > WalOptions.MAX_RING_BUFFER_SIZE)
            {
                throw new IllegalArgumentException("--ring-sizes: " + ring + " is not a power of two from 2 to " +
                    WalOptions.MAX_RING_BUFFER_SIZE);
            }
        }
        final List<Double> fractions = loads == null ? (quick ? QUICK_LOADS : FULL_LOADS) : loads;
        for (final double load : fractions)
        {
            if (!(load > 0 && load < 1))
            {
                throw new IllegalArgumentException("--loads: " + load + " is not a fraction between 0 and 1 " +
                    "(saturation is always run)");
            }
        }
        final List<SyncMode> modes = syncModes == null ? SYNC_MODES : syncModes;
        if (modes.contains(SyncMode.MemoryOnly))
        {
            throw new IllegalArgumentException("--sync-modes: MemoryOnly writes no files; the sweep tunes a WAL on disk");
        }
        final double measured = seconds > 0 ? seconds : quick ? 1.5 : 3;
        return new SweepGrid(List.copyOf(sizes), List.copyOf(modes), List.copyOf(intervals), List.copyOf(rings),
            fractions.stream().sorted().toList(), measured, quick ? 0.3 : 1, quick);
    }

    /**
     * @return every setting, the interval only where the sync mode reads it.
     */
    public List<Setting> settings()
    {
        final List<Setting> settings = new ArrayList<>();
        for (final SyncMode mode : syncModes)
        {
            final List<Long> intervals = mode == SyncMode.Periodic ? flushIntervals : List.of(0L);
            for (final long interval : intervals)
            {
                for (final long size : flushSizes)
                {
                    for (final int ring : ringSizes)
                    {
                        settings.add(new Setting(mode, size, interval, ring));
                    }
                }
            }
        }
        return settings;
    }

    /**
     * @return points to run: each setting at saturation and at every load.
     */
    public int points()
    {
        return settings().size() * (loads.size() + 1);
    }

    /**
     * @return a rough duration in seconds (for the opening line; the progress bar has the real ETA).
     */
    public double estimatedSeconds()
    {
        return points() * (seconds + warmupSeconds + 0.4);
    }

    static String size(final long bytes)
    {
        if (bytes % WalOptions.MIB == 0)
        {
            return bytes / WalOptions.MIB + "MiB";
        }
        if (bytes % WalOptions.KIB == 0)
        {
            return bytes / WalOptions.KIB + "KiB";
        }
        return String.format(Locale.ROOT, "%dB", bytes);
    }
}
