package dev.spindle.cli;

import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalOptions;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code spindle bench}: the load generator on a built-in configuration (fresh lane directories under
 * {@code ./data}, removed afterwards) or on {@code --config}. Prints a human summary and, on the last
 * line, one JSON object. {@code --matrix} runs the comparison the README reports: 256 B and 4 KiB
 * entries, 1 and 3 lanes, pwrite and mmap, interleaved, medians and ratios from the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run the load generator and report entries/s, MB/s and append-to-acknowledgement latency.",
        "With no arguments: 1 lane under ./data (removed afterwards), PerBatch, pwrite, 4 collections,",
        "2 threads, 1 KiB entries, 1,000,000 entries."})
final class BenchCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "TOML configuration (default: built-in, under --dir)")
    Path config;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--lanes", paramLabel = "N", description = "lanes of the built-in configuration (default 1)")
    int lanes = 1;

    @Option(names = "--io-mode", paramLabel = "MODE", description = "pwrite or mmap (overrides the configuration)")
    IoMode ioMode;

    @Option(names = "--sync-mode", paramLabel = "MODE", description = "overrides the configuration's sync_mode")
    SyncMode syncMode;

    @Option(names = "--dir", paramLabel = "DIR", description = "where the built-in configuration puts its lanes (default ./data)")
    Path dir = Path.of("data");

    @Option(names = "--keep", description = "keep the built-in configuration's files")
    boolean keep;

    @Option(names = "--repeat", paramLabel = "R", description = "runs (each on fresh files); the median is reported")
    int repeat = 1;

    @Option(names = "--warmup", paramLabel = "M", description = "entries appended before measuring (default: a tenth, at most 200,000)")
    long warmup = -1;

    @Option(names = "--matrix", description = "256 B and 4 KiB entries x 1 and 3 lanes x pwrite and mmap, interleaved")
    boolean matrix;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (matrix)
        {
            return new BenchMatrix(this).run(out);
        }
        defaults(1024, 1_000_000);
        workload.check();
        final List<LoadGenerator.Result> results = new ArrayList<>();
        WalOptions used = null;
        for (int r = 0; r < Math.max(1, repeat); r++)
        {
            final Run run = runOnce(workload.entrySize, workload.entries, lanes, ioMode, syncMode);
            results.add(run.result);
            used = run.options;
            if (repeat > 1)
            {
                out.println("run " + (r + 1) + ": " + json(run.result, used, workload));
            }
        }
        results.sort(Comparator.comparingDouble(LoadGenerator.Result::entriesPerSecond));
        final LoadGenerator.Result median = results.get(results.size() / 2);
        summary(out, median, used);
        out.println(json(median, used, workload));
        return SpindleCli.OK;
    }

    void defaults(final int entrySize, final long entries)
    {
        if (workload.entrySize < 0)
        {
            workload.entrySize = entrySize;
        }
        if (workload.entries < 0)
        {
            workload.entries = entries;
        }
        if (workload.collections < 0)
        {
            workload.collections = 4;
        }
        if (workload.threads < 0)
        {
            workload.threads = 2;
        }
    }

    /** One measured run and the options it used. */
    record Run(LoadGenerator.Result result, WalOptions options)
    {
    }

    Run runOnce(final int entrySize, final long entries, final int laneCount, final IoMode io, final SyncMode sync)
        throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        Path scratch = null;
        WalOptions options;
        if (config != null)
        {
            options = SpindleCli.load(config, err);
        }
        else
        {
            if (laneCount < 1 || laneCount > 64)
            {
                throw new SpindleCli.UsageException("--lanes must be 1..64, not " + laneCount);
            }
            scratch = dir.resolve("bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")) +
                "-" + ProcessHandle.current().pid());
            final List<String> urls = new ArrayList<>();
            for (int l = 0; l < laneCount; l++)
            {
                urls.add(scratch.resolve("lane" + l).toString());
            }
            options = WalOptions.builder().walUrls(urls).build();
        }
        final WalOptions.Builder builder = options.toBuilder();
        if (io != null)
        {
            builder.ioMode(io);
        }
        if (sync != null)
        {
            builder.syncMode(sync);
        }
        options = builder.build();
        final long warm = warmup >= 0 ? warmup : Math.min(200_000, entries / 10);
        try
        {
            try (Wal wal = Wal.open(options))
            {
                final LoadGenerator.Result result = new LoadGenerator(wal, new LoadGenerator.Params(workload.collections,
                    entries, entrySize, workload.threads, workload.seed, null, !workload.quiet, warm, workload.rate), err)
                    .run();
                return new Run(result, options);
            }
        }
        finally
        {
            if (scratch != null && !keep)
            {
                deleteTree(scratch);
            }
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(p);
            }
        }
    }

    void summary(final PrintWriter out, final LoadGenerator.Result r, final WalOptions options)
    {
        final Histogram h = r.latencyMicros();
        out.printf(Locale.ROOT, "Spindle bench: %d lane(s), io_mode=%s, sync_mode=%s, %d collections, %d threads, %,d B entries%n",
            options.walUrls().size(), options.ioMode(), options.syncMode(), workload.collections, workload.threads,
            workload.entrySize);
        out.printf(Locale.ROOT, "  entries      %,d in %.2f s%n", r.entries(), r.seconds());
        out.printf(Locale.ROOT, "  throughput   %,.0f entries/s, %,.1f MB/s%n", r.entriesPerSecond(), r.megabytesPerSecond());
        out.printf(Locale.ROOT, "  latency      p50 %,d us, p99 %,d us, p99.9 %,d us, max %,d us (append to acknowledgement%s)%n",
            h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
            workload.rate > 0 ? String.format(Locale.ROOT, ", offered %,d entries/s", workload.rate) :
                ", at saturation: mostly queueing; see --rate");
        if (workload.rate > 0)
        {
            out.printf(Locale.ROOT, "  generator    started appends late by p50 %,d us, p99 %,d us, max %,d us " +
                "(included in the latency above)%n", r.lateMicros().getValueAtPercentile(50),
                r.lateMicros().getValueAtPercentile(99), r.lateMicros().getMaxValue());
        }
    }

    static String json(final LoadGenerator.Result r, final WalOptions options, final WorkloadOptions workload)
    {
        final Histogram h = r.latencyMicros();
        return Json.toString(g -> {
            g.writeStartObject();
            writeResult(g, r, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                h.getMaxValue());
            g.writeNumberField("entry_size", workload.entrySize);
            g.writeNumberField("collections", workload.collections);
            g.writeNumberField("threads", workload.threads);
            g.writeNumberField("lanes", options.walUrls().size());
            g.writeStringField("io_mode", options.ioMode().name());
            g.writeStringField("sync_mode", options.syncMode().name());
            if (workload.rate > 0)
            {
                g.writeNumberField("offered_rate", workload.rate);
                g.writeObjectFieldStart("generator_late_us");
                g.writeNumberField("p50", r.lateMicros().getValueAtPercentile(50));
                g.writeNumberField("p99", r.lateMicros().getValueAtPercentile(99));
                g.writeNumberField("max", r.lateMicros().getMaxValue());
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /**
     * The fields every bench result line has: entries, bytes, seconds, rates and {@code latency_us}.
     */
    static void writeResult(final com.fasterxml.jackson.core.JsonGenerator g, final LoadGenerator.Result r,
        final long p50, final long p99, final long p999, final long max) throws java.io.IOException
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

    static double round(final double value, final int digits)
    {
        final double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
