package dev.spindle.cli;

import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code spindle stats}: what each lane holds, per collection.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Per lane and collection: segments, bytes, sequences, durable and remote-durable positions,",
        "upload lag. Reads the files (no lock taken); remote columns are '-' for local lanes."})
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
        try (WalReader reader = WalReader.open(SpindleCli.load(config, spec.commandLine().getErr())))
        {
            stats = reader.stats();
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
        }
        return SpindleCli.OK;
    }
}
