package dev.spindle.metrics.micrometer;

import dev.spindle.wal.Wal;
import dev.spindle.wal.WalMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds a WAL's {@link Wal#metrics()} to a Micrometer {@link MeterRegistry}, so Prometheus, OTLP, JMX or any
 * other registry exports them; Spindle's core depends on none of them.
 *
 * <pre>{@code
 * new SpindleMetrics(wal).bindTo(registry);
 * }</pre>
 *
 * Per lane (tags {@code lane} = its index in {@code wal_urls}, {@code url}; plus the tags given here):
 * <ul>
 *   <li>counters {@code spindle.lane.entries}, {@code .batches}, {@code .bytes}, {@code .uploads},
 *       {@code .uploaded.bytes}, {@code .upload.retries};</li>
 *   <li>function timers (count and total time) {@code spindle.lane.ring.wait}, {@code .encode}, {@code .write},
 *       {@code .fsync}, {@code .commit}, {@code .seal}, {@code .upload.lag}, and for each a time gauge
 *       {@code <name>.percentile} with tag {@code quantile} = 0.5, 0.99, 0.999 and 1 (the max), since the lane
 *       opened;</li>
 *   <li>gauges {@code spindle.lane.batch.entries.mean}, {@code spindle.lane.batch.bytes.mean},
 *       {@code spindle.lane.in.flight.bytes}, {@code spindle.lane.pending.upload.bytes},
 *       {@code spindle.lane.failed} (1 once the lane failed), {@code spindle.lane.slow} (1 while its fsync p99 over
 *       the last minute is above {@code slow_sync_ms}) and the time gauge
 *       {@code spindle.lane.fsync.p99.last.minute}.</li>
 * </ul>
 * The gauges hold this binder strongly (Micrometer holds a meter's state weakly), so it lives as long as the
 * registry keeps them: binding it and dropping it, as above, works. A registry reads meters one by one; they all
 * read one snapshot, taken again at most every {@code maxAge}
 * (default one second), so a scrape costs one {@link Wal#metrics()} call, not one per meter.
 */
public final class SpindleMetrics implements MeterBinder
{
    private static final double[] QUANTILES = {0.5, 0.99, 0.999, 1.0};

    private final Supplier<WalMetrics> source;
    private final Tags tags;
    private final long maxAgeNanos;
    private WalMetrics last;
    private long lastAt;

    public SpindleMetrics(final Wal wal)
    {
        this(wal::metrics, Tags.empty(), 1, TimeUnit.SECONDS);
    }

    /**
     * @param source where the metrics come from (a {@link Wal}'s {@code metrics} method).
     * @param tags added to every meter (which WAL, when an application runs several).
     * @param maxAge how old a snapshot may be when a meter is read.
     */
    public SpindleMetrics(final Supplier<WalMetrics> source, final Iterable<io.micrometer.core.instrument.Tag> tags,
        final long maxAge, final TimeUnit unit)
    {
        this.source = Objects.requireNonNull(source, "source");
        this.tags = Tags.of(tags);
        this.maxAgeNanos = unit.toNanos(maxAge);
    }

    @Override
    public void bindTo(final MeterRegistry registry)
    {
        final List<WalMetrics.Lane> lanes = snapshot().lanes();
        for (final WalMetrics.Lane lane : lanes)
        {
            final int i = lane.index();
            final Tags laneTags = tags.and("lane", Integer.toString(i), "url", lane.url());
            counter(registry, "spindle.lane.entries", "entries written", laneTags, i, WalMetrics.Lane::entries);
            counter(registry, "spindle.lane.batches", "batches committed (group commits)", laneTags, i,
                WalMetrics.Lane::batches);
            counter(registry, "spindle.lane.bytes", "encoded bytes written", laneTags, i, WalMetrics.Lane::bytes);
            counter(registry, "spindle.lane.uploads", "segments uploaded", laneTags, i, WalMetrics.Lane::uploads);
            counter(registry, "spindle.lane.uploaded.bytes", "bytes uploaded", laneTags, i,
                WalMetrics.Lane::uploadedBytes);
            counter(registry, "spindle.lane.upload.retries", "upload attempts that failed and were retried", laneTags,
                i, WalMetrics.Lane::uploadRetries);
            timer(registry, "spindle.lane.ring.wait", "per batch: its oldest entry's wait in the ring",
                laneTags, i, WalMetrics.Lane::ringWait);
            timer(registry, "spindle.lane.encode", "per batch: encoding, segment rolls", laneTags, i,
                WalMetrics.Lane::encode);
            timer(registry, "spindle.lane.write", "per batch: writing its blocks", laneTags, i, WalMetrics.Lane::write);
            timer(registry, "spindle.lane.fsync", "per fsync (msync for mmap)", laneTags, i, WalMetrics.Lane::sync);
            timer(registry, "spindle.lane.commit", "per batch: its oldest entry's time from append to commit", laneTags, i,
                WalMetrics.Lane::commit);
            timer(registry, "spindle.lane.seal", "per sealed segment", laneTags, i, WalMetrics.Lane::seal);
            timer(registry, "spindle.lane.upload.lag", "per uploaded segment: from seal until in object storage",
                laneTags, i, WalMetrics.Lane::uploadLag);
            gauge(registry, "spindle.lane.batch.entries.mean", "entries per batch, mean", laneTags, i,
                l -> l.batchEntries().mean());
            gauge(registry, "spindle.lane.batch.bytes.mean", "bytes per batch, mean", laneTags, i,
                l -> l.batchBytes().mean());
            gauge(registry, "spindle.lane.in.flight.bytes", "bytes appended and not yet written", laneTags, i,
                WalMetrics.Lane::inFlightBytes);
            gauge(registry, "spindle.lane.pending.upload.bytes", "bytes of sealed segments not yet uploaded", laneTags,
                i, WalMetrics.Lane::pendingUploadBytes);
            gauge(registry, "spindle.lane.failed", "1 once the lane failed", laneTags, i, l -> l.failed() ? 1 : 0);
            gauge(registry, "spindle.lane.slow", "1 while the fsync p99 over the last minute is above slow_sync_ms",
                laneTags, i, l -> l.slow() ? 1 : 0);
            TimeGauge.builder("spindle.lane.fsync.p99.last.minute", this, TimeUnit.NANOSECONDS,
                    m -> m.lane(i).syncP99LastMinute()).description("fsync p99 over the last minute").tags(laneTags)
                .strongReference(true).register(registry);
        }
    }

    /** @return a snapshot at most {@code maxAge} old; any thread. */
    synchronized WalMetrics snapshot()
    {
        final long now = System.nanoTime();
        if (last == null || now - lastAt >= maxAgeNanos)
        {
            last = source.get();
            lastAt = now;
        }
        return last;
    }

    private WalMetrics.Lane lane(final int index)
    {
        return snapshot().lanes().get(index);
    }

    private void counter(final MeterRegistry registry, final String name, final String description, final Tags t,
        final int lane, final ToLongFunction<WalMetrics.Lane> value)
    {
        FunctionCounter.builder(name, this, m -> value.applyAsLong(m.lane(lane))).description(description).tags(t)
            .register(registry);
    }

    private void gauge(final MeterRegistry registry, final String name, final String description, final Tags t,
        final int lane, final ToDoubleFunction<WalMetrics.Lane> value)
    {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.lane(lane))).description(description).tags(t)
            .strongReference(true).register(registry);
    }

    private void timer(final MeterRegistry registry, final String name, final String description, final Tags t,
        final int lane, final java.util.function.Function<WalMetrics.Lane, WalMetrics.Distribution> of)
    {
        FunctionTimer.builder(name, this, m -> of.apply(m.lane(lane)).count(),
                m -> of.apply(m.lane(lane)).mean() * of.apply(m.lane(lane)).count(), TimeUnit.NANOSECONDS)
            .description(description).tags(t).register(registry);
        for (final double q : QUANTILES)
        {
            TimeGauge.builder(name + ".percentile", this, TimeUnit.NANOSECONDS, m -> quantile(of.apply(m.lane(lane)), q))
                .description(description + ", since the lane opened").tags(t.and("quantile", Double.toString(q)))
                .strongReference(true).register(registry);
        }
    }

    private static double quantile(final WalMetrics.Distribution d, final double q)
    {
        if (q >= 1.0)
        {
            return d.max();
        }
        if (q >= 0.999)
        {
            return d.p999();
        }
        return q >= 0.99 ? d.p99() : d.p50();
    }
}
