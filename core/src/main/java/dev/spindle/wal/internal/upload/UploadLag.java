package dev.spindle.wal.internal.upload;

import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.internal.metrics.RecordedDistribution;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The upload lag (seal to verified upload) of a remote lane's last {@value #SAMPLES} uploads, in ms. Upload
 * threads record, stats read; both under this object's monitor (never a lane thread).
 */
final class UploadLag
{
    static final int SAMPLES = 4096;

    private final long[] millis = new long[SAMPLES];
    private long count;

    /** Every upload's lag, for {@code Wal.metrics()} (the window above is for {@code stats}). */
    private final RecordedDistribution all = new RecordedDistribution(false);

    void record(final long lagNanos)
    {
        all.record(lagNanos);
        synchronized (this)
        {
            millis[(int)(count++ % SAMPLES)] = TimeUnit.NANOSECONDS.toMillis(lagNanos);
        }
    }

    /** @return the lag of every upload so far, in nanoseconds. */
    WalMetrics.Distribution distribution()
    {
        return all.read();
    }

    /**
     * @return {p50, p99, max}; zeros when nothing was uploaded yet.
     */
    synchronized long[] percentiles()
    {
        final int n = (int)Math.min(count, SAMPLES);
        if (n == 0)
        {
            return new long[]{0, 0, 0};
        }
        final long[] sorted = Arrays.copyOf(millis, n);
        Arrays.sort(sorted);
        return new long[]{sorted[(n - 1) / 2], sorted[(int)Math.ceil(n * 0.99) - 1], sorted[n - 1]};
    }
}
