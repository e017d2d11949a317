package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.metrics.RecordedDistribution;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Whether a lane's disk is slow: its fsync p99 over the last minute above {@code slow_sync_ms}, over at least
 * {@value #MIN_SYNCS} fsyncs and with two slow ones at least (an idle lane's one slow fsync is not a slow disk);
 * fine again once the p99 is under 80% of the bound. The lane thread records each
 * fsync's time ({@link #record}); the timer thread, at each tick ({@link #check}), takes what was recorded since
 * into the newest of six 10-second windows, and turns {@link #slow()} on or off, logging each change once.
 * Readers (metrics, the router's {@code LoadBalanced}) read two volatile fields.
 */
final class SlowSync
{
    private static final Logger LOG = LoggerFactory.getLogger(SlowSync.class);
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int WINDOWS = 6;
    static final int MIN_SYNCS = 10;

    private final String lane;
    private final long boundNanos;
    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, RecordedDistribution.HIGHEST, 2);
    /** Timer thread only. */
    private final Histogram[] windows = new Histogram[WINDOWS];
    private final long[] started = new long[WINDOWS];
    private final Histogram minute = new Histogram(1, RecordedDistribution.HIGHEST, 2);
    private Histogram interval;
    private int current = -1;
    private volatile boolean slow;
    private volatile long p99;

    /**
     * @param boundMillis {@code slow_sync_ms}; 0 never reports the lane slow (the p99 is still kept).
     */
    SlowSync(final String lane, final long boundMillis)
    {
        this.lane = lane;
        this.boundNanos = TimeUnit.MILLISECONDS.toNanos(boundMillis);
        for (int i = 0; i < WINDOWS; i++)
        {
            windows[i] = new Histogram(1, RecordedDistribution.HIGHEST, 2);
        }
    }

    /** Lane thread: an fsync took {@code nanos}. */
    void record(final long nanos)
    {
        recorder.recordValue(Math.min(RecordedDistribution.HIGHEST, Math.max(0, nanos)));
    }

    /** Timer thread: take in what was recorded, and decide. */
    void check(final long nowNanos)
    {
        interval = recorder.getIntervalHistogram(interval);
        if (current < 0 || nowNanos - started[current] >= WINDOW_NANOS)
        {
            current = (current + 1) % WINDOWS;
            windows[current].reset();
            started[current] = nowNanos;
        }
        windows[current].add(interval);
        minute.reset();
        for (int i = 0; i < WINDOWS; i++)
        {
            if (windows[i].getTotalCount() > 0 && nowNanos - started[i] < WINDOWS * WINDOW_NANOS)
            {
                minute.add(windows[i]);
            }
        }
        final long syncs = minute.getTotalCount();
        final long p = syncs == 0 ? 0 : minute.getValueAtPercentile(99);
        p99 = p;
        // slow: the p99 above the bound, over ten fsyncs at least, two of them slow at least (with under 100
        // fsyncs the p99 is the slowest one); fine again only below 80% of the bound, so a p99 hovering at the
        // bound does not flip (and log) at every tick
        final boolean now = boundNanos > 0 && syncs >= MIN_SYNCS && (slow ? p > boundNanos * 4 / 5 :
            p > boundNanos && minute.getCountBetweenValues(boundNanos + 1, RecordedDistribution.HIGHEST) >= 2);
        if (now != slow)
        {
            slow = now;
            if (now)
            {
                LOG.warn("{}: slow disk: fsync p99 over the last minute is {} ms ({} fsyncs), above slow_sync_ms = {}",
                    lane, TimeUnit.NANOSECONDS.toMillis(p), syncs, TimeUnit.NANOSECONDS.toMillis(boundNanos));
            }
            else
            {
                LOG.info("{}: fsync p99 over the last minute is {} ms again, within slow_sync_ms = {}", lane,
                    TimeUnit.NANOSECONDS.toMillis(p), TimeUnit.NANOSECONDS.toMillis(boundNanos));
            }
        }
    }

    boolean slow()
    {
        return slow;
    }

    /** @return the fsync p99 over the last minute at the last tick, in nanoseconds (0: no fsync). */
    long p99LastMinute()
    {
        return p99;
    }
}
