package dev.spindle.cli.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.wal.WalMetrics;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The JSON of benchmark results: every result object has {@code entries}, {@code bytes}, {@code seconds},
 * {@code entries_per_sec}, {@code mb_per_sec} and {@code latency_us} {p50, p99, p999, max} (the contract of
 * DESIGN.md); this class is the one place that writes those fields.
 */
public final class BenchJson
{
    private static final JsonFactory FACTORY = new JsonFactory();

    private BenchJson()
    {
    }

    /** What goes inside the outermost value. */
    public interface Body
    {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * @return the JSON text {@code body} writes, on one line.
     */
    public static String toString(final Body body)
    {
        final StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out))
        {
            body.write(g);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }

    public static void writeResult(final JsonGenerator g, final LoadGenerator.Result r) throws IOException
    {
        final Histogram h = r.latencyMicros();
        writeResult(g, r, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
            h.getMaxValue());
    }

    /**
     * The contract's fields, with latency percentiles given (medians over runs, say).
     */
    public static void writeResult(final JsonGenerator g, final LoadGenerator.Result r, final long p50,
        final long p99, final long p999, final long max) throws IOException
    {
        g.writeNumberField("entries", r.entries());
        g.writeNumberField("bytes", r.bytes());
        g.writeNumberField("seconds", round(r.seconds(), 3));
        g.writeNumberField("entries_per_sec", Math.round(r.entriesPerSecond()));
        g.writeNumberField("mb_per_sec", round(r.megabytesPerSecond(), 1));
        g.writeObjectFieldStart("latency_us");
        g.writeNumberField("p50", p50);
        g.writeNumberField("p99", p99);
        g.writeNumberField("p999", p999);
        g.writeNumberField("max", max);
        g.writeEndObject();
    }

    /**
     * What a run was: entry size, collections, threads, lanes, io_mode and sync_mode.
     */
    public static void writeSetup(final JsonGenerator g, final LoadGenerator.Params params,
        final dev.spindle.wal.WalOptions options) throws IOException
    {
        g.writeNumberField("entry_size", params.entrySize());
        g.writeNumberField("collections", params.collections());
        g.writeNumberField("threads", params.threads());
        g.writeNumberField("lanes", options.walUrls().size());
        g.writeStringField("io_mode", options.ioMode().name());
        g.writeStringField("sync_mode", options.syncMode().name());
        g.writeStringField("codec", options.codec().avroName());
        g.writeStringField("payload", params.payload().name());
        g.writeNumberField("checkpoint_mib", params.checkpointBytes() >> 20);
    }

    /**
     * {@code "name": {"p50": .., "p99": .., "max": ..}} of a histogram.
     */
    public static void writePercentiles(final JsonGenerator g, final String name, final Histogram h) throws IOException
    {
        g.writeObjectFieldStart(name);
        g.writeNumberField("p50", h.getValueAtPercentile(50));
        g.writeNumberField("p99", h.getValueAtPercentile(99));
        g.writeNumberField("max", h.getMaxValue());
        g.writeEndObject();
    }

    /**
     * {@code lanes}: per lane of {@link WalMetrics}, batches and their mean size, and the fsync, commit and ring
     * wait times in microseconds.
     */
    public static void writeLanes(final JsonGenerator g, final WalMetrics metrics) throws IOException
    {
        g.writeArrayFieldStart("lanes");
        for (final WalMetrics.Lane lane : metrics.lanes())
        {
            g.writeStartObject();
            g.writeNumberField("batches", lane.batches());
            g.writeNumberField("batch_entries_mean", round(lane.batchEntries().mean(), 1));
            micros(g, "fsync_us", lane.sync());
            micros(g, "commit_us", lane.commit());
            micros(g, "ring_wait_us", lane.ringWait());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void micros(final JsonGenerator g, final String name, final WalMetrics.Distribution d)
        throws IOException
    {
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", d.count());
        g.writeNumberField("p50", d.p50() / 1000);
        g.writeNumberField("p99", d.p99() / 1000);
        g.writeNumberField("max", d.max() / 1000);
        g.writeEndObject();
    }

    public static double round(final double value, final int digits)
    {
        final double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
