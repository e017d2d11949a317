package dev.spindle.wal.internal.metrics;

import dev.spindle.wal.WalMetrics;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One distribution of {@link WalMetrics}: an HdrHistogram recorder that the thread where it happens records into
 * (wait-free, no allocation: each histogram covers its whole range from the start), and the running total that readers build
 * by taking the recorder's interval histogram out and adding it. Readers synchronize on this object; writers
 * never do.
 */
public final class RecordedDistribution
{
    /** Two significant digits: values within 1% (a histogram over 1 ns .. 1 h is then about 35 KiB). */
    private static final int DIGITS = 2;
    /** The highest value kept as it is: an hour in nanoseconds; more is recorded as this. */
    public static final long HIGHEST = 3_600_000_000_000L;

    private final SingleWriterRecorder single;
    private final Recorder shared;
    private final Histogram total = new Histogram(1, HIGHEST, DIGITS);
    private Histogram interval;

    /**
     * @param singleWriter true when one thread records (a lane thread), false for several (upload threads).
     */
    public RecordedDistribution(final boolean singleWriter)
    {
        // the whole range from the start: a histogram that grew as larger values came allocated on the lane thread
        single = singleWriter ? new SingleWriterRecorder(1, HIGHEST, DIGITS) : null;
        shared = singleWriter ? null : new Recorder(1, HIGHEST, DIGITS);
    }

    /** Record {@code value} (a negative one, from a clock that went back, as 0; one above {@link #HIGHEST} as that). */
    public void record(final long value)
    {
        final long v = Math.min(HIGHEST, Math.max(0, value));
        if (single != null)
        {
            single.recordValue(v);
        }
        else
        {
            shared.recordValue(v);
        }
    }

    /** @return everything recorded so far; any thread. */
    public synchronized WalMetrics.Distribution read()
    {
        interval = single != null ? single.getIntervalHistogram(interval) : shared.getIntervalHistogram(interval);
        total.add(interval);
        if (total.getTotalCount() == 0)
        {
            return WalMetrics.Distribution.EMPTY;
        }
        return new WalMetrics.Distribution(total.getTotalCount(), total.getMean(), total.getValueAtPercentile(50),
            total.getValueAtPercentile(90), total.getValueAtPercentile(99), total.getValueAtPercentile(99.9),
            total.getMaxValue());
    }
}
