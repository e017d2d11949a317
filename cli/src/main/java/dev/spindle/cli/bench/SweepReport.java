package dev.spindle.cli.bench;

import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the sweep tells its user: a table of every setting's saturation and knee, the recommendation with its
 * reasons, and the JSON summary on the last line.
 */
final class SweepReport
{
    private SweepReport()
    {
    }

    static void table(final PrintWriter out, final Map<SweepGrid.Setting, List<SweepPoint>> curves)
    {
        out.printf(Locale.ROOT, "%-42s %13s %9s %10s   %-10s %13s %9s %10s%n", "setting", "saturated/s", "MB/s",
            "p99 ms", "knee at", "entries/s", "MB/s", "p99 ms");
        for (final Map.Entry<SweepGrid.Setting, List<SweepPoint>> curve : curves.entrySet())
        {
            final SweepPoint saturation = curve.getValue().get(0);
            final SweepPoint knee = Knee.of(curve.getValue());
            out.printf(Locale.ROOT, "%-42s %,13.0f %9.1f %10.2f   %-10s %,13.0f %9.1f %10.2f%n", curve.getKey().label(),
                saturation.entriesPerSecond(), saturation.megabytesPerSecond(), saturation.p99() / 1000.0,
                knee.loadLabel(), knee.entriesPerSecond(), knee.megabytesPerSecond(), knee.p99() / 1000.0);
        }
    }

    static String recommendation(final Optional<Knee.Choice> durable, final Optional<Knee.Choice> relaxed,
        final Map<SweepGrid.Setting, List<SweepPoint>> curves, final SweepGrid grid, final String subtitle,
        final Histogram disk)
    {
        final StringBuilder text = new StringBuilder();
        if (durable.isPresent())
        {
            final Knee.Choice c = durable.get();
            text.append("Recommendation for durable acknowledgements (acknowledged = fsync'd):\n\n")
                .append("[storage.wal_config]\n").append(c.setting().toml()).append('\n')
                .append(why(c, count(curves, true), "durable"))
                .append(ranking(Knee.ranked(curves, SweepGrid.Setting::durableAck)));
        }
        else
        {
            text.append("No durable setting (PerBatch, Always) was in the grid, so none is recommended for durable " +
                "acknowledgements.\n");
        }
        if (relaxed.isPresent())
        {
            final Knee.Choice c = relaxed.get();
            text.append('\n').append("If an acknowledgement before the fsync is acceptable (").append(c.setting().syncMode())
                .append(": a power loss can lose acknowledged entries not yet synced), the best of the ")
                .append(count(curves, false)).append(" such settings is:\n\n")
                .append("[storage.wal_config]\n").append(c.setting().toml()).append('\n')
                .append(why(c, count(curves, false), "such"))
                .append(ranking(Knee.ranked(curves, s -> !s.durableAck())));
            durable.ifPresent(d -> text.append(String.format(Locale.ROOT,
                "Against the durable choice, its knee carries %.2fx the throughput at %.2fx the p99.%n",
                c.knee().entriesPerSecond() / d.knee().entriesPerSecond(), (double)c.knee().p99() / d.knee().p99())));
        }
        text.append('\n').append(String.format(Locale.ROOT,
            "How it was measured: %d points (%d settings, each at saturation and at %s of its saturation throughput), " +
                "%.1f s each after %.1f s of warm-up, on fresh files every time; %s. The disk beside the first " +
                "lane: 4 KiB append + fdatasync p50 %,d us, p99 %,d us. At the offered loads, acknowledgement latency " +
                "counts from each entry's scheduled time; at saturation, from the moment its append was called. Ratios " +
                "hold for this machine; rerun on yours.%n",
            grid.points(), curves.size(), loadList(grid.loads()), grid.seconds(), grid.warmupSeconds(), subtitle,
            disk.getValueAtPercentile(50), disk.getValueAtPercentile(99)));
        return text.toString();
    }

    private static String why(final Knee.Choice c, final long among, final String kind)
    {
        final StringBuilder why = new StringBuilder(String.format(Locale.ROOT,
            "Why: the knee of a setting's curve is its load with the most throughput per unit of acknowledgement p99 " +
                "(throughput / p99, Kleinrock's \"power\"): below it more load costs little latency, above it latency " +
                "grows faster than throughput. %s has the most powerful knee of the %d %s settings: %,.0f entries/s " +
                "(%.1f MB/s, %s) at p99 %.2f ms.",
            c.setting().label(), among, kind, c.knee().entriesPerSecond(), c.knee().megabytesPerSecond(),
            c.knee().saturation() ? "at saturation" : c.knee().loadLabel() + " of its saturation",
            c.knee().p99() / 1000.0));
        if (!c.knee().saturation())
        {
            final double more = c.saturation().entriesPerSecond() / c.knee().entriesPerSecond();
            why.append(String.format(Locale.ROOT, " Pushed to saturation it %s (%,.0f entries/s) at %.1fx the p99 " +
                    "(%.2f ms).", more >= 1 ? String.format(Locale.ROOT, "carries %.2fx the throughput", more) :
                    "carries no more throughput", c.saturation().entriesPerSecond(),
                (double)c.saturation().p99() / c.knee().p99(), c.saturation().p99() / 1000.0));
        }
        why.append('\n');
        if (!c.ties().isEmpty())
        {
            why.append(String.format(Locale.ROOT, "Within %.0f%% of it, so not told apart by this run: %s.%n",
                (1 - Knee.TIE) * 100, String.join("; ", c.ties().stream().map(SweepGrid.Setting::label).toList())));
        }
        return why.toString();
    }

    /**
     * @return the three most powerful knees, so that a user who wants more throughput sees what it costs.
     */
    private static String ranking(final List<SweepPoint> knees)
    {
        if (knees.size() < 2)
        {
            return "";
        }
        final StringBuilder text = new StringBuilder("The most powerful knees:\n");
        for (final SweepPoint knee : knees.subList(0, Math.min(3, knees.size())))
        {
            text.append(String.format(Locale.ROOT, "  %-42s %,10.0f entries/s %8.1f MB/s  p99 %6.2f ms  (%s)%n",
                knee.setting().label(), knee.entriesPerSecond(), knee.megabytesPerSecond(), knee.p99() / 1000.0,
                knee.saturation() ? "saturation" : knee.loadLabel() + " load"));
        }
        return text.toString();
    }

    private static long count(final Map<SweepGrid.Setting, List<SweepPoint>> curves, final boolean durable)
    {
        return curves.keySet().stream().filter(s -> s.durableAck() == durable).count();
    }

    private static String loadList(final List<Double> loads)
    {
        return String.join(", ", loads.stream().map(l -> String.format(Locale.ROOT, "%.0f%%", l * 100)).toList());
    }

    static String json(final Path out, final SweepGrid grid, final Map<SweepGrid.Setting, List<SweepPoint>> curves,
        final Optional<Knee.Choice> durable, final Optional<Knee.Choice> relaxed, final List<Path> plots)
    {
        return BenchJson.toString(g -> {
            g.writeStartObject();
            g.writeStringField("out", out.toAbsolutePath().toString());
            g.writeNumberField("settings", curves.size());
            g.writeNumberField("points", curves.values().stream().mapToInt(List::size).sum());
            g.writeNumberField("seconds_per_point", grid.seconds());
            g.writeArrayFieldStart("plots");
            for (final Path plot : plots)
            {
                g.writeString(plot.getFileName().toString());
            }
            g.writeEndArray();
            if (durable.isPresent())
            {
                g.writeFieldName("recommended");
                choice(g, durable.get());
            }
            if (relaxed.isPresent())
            {
                g.writeFieldName("recommended_without_durable_ack");
                choice(g, relaxed.get());
            }
            g.writeEndObject();
        });
    }

    private static void choice(final com.fasterxml.jackson.core.JsonGenerator g, final Knee.Choice c)
        throws java.io.IOException
    {
        g.writeStartObject();
        g.writeStringField("sync_mode", c.setting().syncMode().name());
        g.writeNumberField("memory_flush_size_bytes", c.setting().flushSizeBytes());
        if (c.setting().flushIntervalMs() > 0)
        {
            g.writeNumberField("flush_interval_ms", c.setting().flushIntervalMs());
        }
        g.writeNumberField("ring_buffer_size", c.setting().ringSize());
        g.writeStringField("knee_load", c.knee().loadLabel());
        BenchJson.writeResult(g, c.knee().result());
        g.writeEndObject();
    }
}
