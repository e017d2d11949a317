package dev.spindle.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code spindle stats}: what each lane holds, per collection.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Per lane and collection: segments, bytes, sequences, durable and remote-durable positions,",
        "upload lag. Reads the files (no lock taken); remote columns are '-' for local lanes.",
        "Per lane, the metrics its writer publishes (live while it runs, else as of its close)."})
final class StatsCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "TOML configuration")
    Path config;

    @Option(names = "--json", description = "one JSON object instead of a table")
    boolean json;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final WalStats stats;
        final Map<Integer, WalMetrics.Published> published = new TreeMap<>();
        try (WalReader reader = WalReader.open(SpindleCli.load(config, spec.commandLine().getErr())))
        {
            stats = reader.stats();
            published.putAll(reader.publishedMetrics());    // by the directory's lane in this configuration
        }
        if (json)
        {
            out.println(Json.toString(g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("lanes");
                for (final WalStats.LaneStats lane : stats.lanes())
                {
                    g.writeStartObject();
                    g.writeNumberField("lane", lane.index());
                    g.writeStringField("url", lane.url());
                    g.writeStringField("directory", lane.directory());
                    final WalStats.UploadStats up = lane.upload();
                    if (up != null)
                    {
                        g.writeObjectFieldStart("upload");
                        g.writeNumberField("pending_segments", up.pendingSegments());
                        g.writeNumberField("pending_bytes", up.pendingBytes());
                        g.writeNumberField("upload_lag_ms", up.oldestPendingMs());
                        g.writeNumberField("writer_epoch", up.writerEpoch());
                        g.writeEndObject();
                    }
                    final WalMetrics.Published p = published.get(lane.index());
                    if (p != null)
                    {
                        metricsJson(g, p);
                    }
                    g.writeArrayFieldStart("collections");
                    for (final WalStats.CollectionStats c : lane.collections())
                    {
                        g.writeStartObject();
                        g.writeStringField("collection", c.collection());
                        g.writeNumberField("sealed_segments", c.sealedSegments());
                        g.writeNumberField("active_segments", c.activeSegments());
                        g.writeNumberField("bytes", c.bytes());
                        g.writeNumberField("first_sequence", c.firstSequence());
                        g.writeNumberField("last_sequence", c.laneSequence());
                        g.writeNumberField("durable_sequence", c.durableSequence());
                        if (up != null)
                        {
                            g.writeNumberField("remote_durable_sequence", c.remoteDurableSequence());
                            g.writeNumberField("uploaded_segments", c.uploadedSegments());
                        }
                        else
                        {
                            g.writeNullField("remote_durable_sequence");
                            g.writeNullField("uploaded_segments");
                        }
                        g.writeNumberField("checkpoint", c.checkpointSequence());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }));
            return SpindleCli.OK;
        }
        out.printf(Locale.ROOT, "%-4s %-24s %6s %6s %14s %12s %12s %12s %12s %10s %10s%n", "lane", "collection", "sealed",
            "open", "bytes", "first", "last", "durable", "checkpoint", "remote", "lag");
        for (final WalStats.LaneStats lane : stats.lanes())
        {
            if (lane.collections().isEmpty())
            {
                out.printf(Locale.ROOT, "%-4d %-24s (empty: %s)%n", lane.index(), "-", lane.url());
            }
            final WalStats.UploadStats up = lane.upload();
            for (final WalStats.CollectionStats c : lane.collections())
            {
                out.printf(Locale.ROOT, "%-4d %-24s %6d %6d %,14d %12d %12d %12d %12d %10s %10s%n", lane.index(),
                    c.collection(), c.sealedSegments(), c.activeSegments(), c.bytes(), c.firstSequence(),
                    c.laneSequence(), c.durableSequence(), c.checkpointSequence(),
                    up == null ? "-" : Long.toString(c.remoteDurableSequence()),
                    up == null ? "-" : up.oldestPendingMs() + "ms");
            }
            if (up != null)
            {
                out.printf(Locale.ROOT, "     lane %d: %d segment(s), %,d bytes staged and not uploaded yet (%s), " +
                    "writer epoch %d%n", lane.index(), up.pendingSegments(), up.pendingBytes(), lane.url(),
                    up.writerEpoch());
            }
            final WalMetrics.Published p = published.get(lane.index());
            if (p != null)
            {
                metricsLine(out, lane.index(), p);
            }
        }
        return SpindleCli.OK;
    }

    /** The lane's published metrics, in one or two lines under its table rows. */
    private static void metricsLine(final PrintWriter out, final int index, final WalMetrics.Published p)
    {
        final WalMetrics.Lane m = p.lane();
        final String when = p.live() ? String.format(Locale.ROOT, "live, %.1f s ago, pid %d",
            (System.currentTimeMillis() - p.writtenMillis()) / 1000.0, p.pid()) :
            (p.open() ? "written " : "at the close, ") + Instant.ofEpochMilli(p.writtenMillis()) + " by pid " + p.pid() +
                (p.open() ? ", not updated since: the writer stopped without closing" : "");
        out.printf(Locale.ROOT, "     lane %d metrics (%s): %,d entries in %,d batches (%.1f each), fsync p50 %s p99 %s " +
                "(%,d), commit p99 %s, ring wait p99 %s, %,d seals%s%s%n", index, when, m.entries(), m.batches(),
            m.batchEntries().mean(), ms(m.sync().p50()), ms(m.sync().p99()), m.sync().count(), ms(m.commit().p99()),
            ms(m.ringWait().p99()), m.seal().count(),
            m.slow() ? ", SLOW: fsync p99 over the last minute " + ms(m.syncP99LastMinute()) : "",
            m.failed() ? ", FAILED: " + m.failure() : "");
        if (m.uploads() > 0 || m.pendingUploadBytes() > 0)
        {
            out.printf(Locale.ROOT, "     lane %d uploads: %,d segments, %,d bytes, %,d retried, lag p99 %s, %,d bytes " +
                "waiting%n", index, m.uploads(), m.uploadedBytes(), m.uploadRetries(), ms(m.uploadLag().p99()),
                m.pendingUploadBytes());
        }
    }

    private static String ms(final long nanos)
    {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    private static void metricsJson(final JsonGenerator g, final WalMetrics.Published p) throws java.io.IOException
    {
        final WalMetrics.Lane m = p.lane();
        g.writeObjectFieldStart("metrics");
        g.writeBooleanField("live", p.live());
        g.writeBooleanField("open", p.open());
        g.writeNumberField("written_millis", p.writtenMillis());
        g.writeNumberField("pid", p.pid());
        g.writeNumberField("entries", m.entries());
        g.writeNumberField("batches", m.batches());
        g.writeNumberField("bytes", m.bytes());
        distribution(g, "ring_wait_ns", m.ringWait());
        distribution(g, "batch_entries", m.batchEntries());
        distribution(g, "batch_bytes", m.batchBytes());
        distribution(g, "encode_ns", m.encode());
        distribution(g, "write_ns", m.write());
        distribution(g, "fsync_ns", m.sync());
        distribution(g, "commit_ns", m.commit());
        distribution(g, "seal_ns", m.seal());
        distribution(g, "upload_lag_ns", m.uploadLag());
        g.writeNumberField("uploads", m.uploads());
        g.writeNumberField("uploaded_bytes", m.uploadedBytes());
        g.writeNumberField("upload_retries", m.uploadRetries());
        g.writeNumberField("pending_upload_bytes", m.pendingUploadBytes());
        g.writeNumberField("in_flight_bytes", m.inFlightBytes());
        g.writeBooleanField("slow", m.slow());
        g.writeNumberField("fsync_p99_last_minute_ns", m.syncP99LastMinute());
        if (m.failure() == null)
        {
            g.writeNullField("failure");
        }
        else
        {
            g.writeStringField("failure", m.failure());
        }
        g.writeEndObject();
    }

    private static void distribution(final JsonGenerator g, final String name, final WalMetrics.Distribution d)
        throws java.io.IOException
    {
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", d.count());
        g.writeNumberField("mean", d.mean());
        g.writeNumberField("p50", d.p50());
        g.writeNumberField("p90", d.p90());
        g.writeNumberField("p99", d.p99());
        g.writeNumberField("p999", d.p999());
        g.writeNumberField("max", d.max());
        g.writeEndObject();
    }
}
