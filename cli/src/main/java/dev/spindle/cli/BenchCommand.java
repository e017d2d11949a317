package dev.spindle.cli;

import dev.spindle.cli.bench.BenchJson;
import dev.spindle.cli.bench.BenchMatrix;
import dev.spindle.cli.bench.CodecMatrix;
import dev.spindle.cli.bench.DiskScaling;
import dev.spindle.cli.bench.LoadGenerator;
import dev.spindle.cli.bench.Payloads;
import dev.spindle.cli.bench.Scratch;
import dev.spindle.cli.bench.Sweep;
import dev.spindle.cli.bench.SweepGrid;
import dev.spindle.cli.bench.SyncProbe;
import dev.spindle.wal.Codec;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WalMetrics;
import dev.spindle.wal.WalOptions;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code spindle bench}: the load generator on a built-in configuration (fresh lane directories under
 * {@code ./data}, removed afterwards) or on {@code --config}. Prints a human summary and, on the last
 * line, one JSON object. Three larger runs hang off it: {@code --matrix} (sizes x lanes x io_mode),
 * {@code --sweep} (the flush-threshold grid, with plots and a recommendation) and {@code --disks N}
 * (N throttled loop disks, root only).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the load generator and report entries/s, MB/s and append-to-acknowledgement latency.",
        "With no arguments: 1 lane under ./data (removed afterwards), PerBatch, pwrite, 4 collections,",
        "2 threads, 1 KiB entries, 1,000,000 entries.",
        "  --sweep [--quick] [--out DIR]  the flush-threshold grid: sweep.csv, PNG plots, a recommendation",
        "  --disks N                      1..N lanes on N throttled loop-mounted disks (root)",
        "  --matrix                       256 B and 4 KiB x 1 and 3 lanes x pwrite and mmap",
        "  --codecs                       every codec on text and on vectors: throughput, bytes on disk"})
final class BenchCommand implements Callable<Integer>
{
    static final int DEFAULT_ENTRY_SIZE = 1024;
    static final int DEFAULT_THREADS = 2;
    static final int DEFAULT_COLLECTIONS = 4;
    static final long DEFAULT_CHECKPOINT_MIB = 64;
    static final long DEFAULT_ENTRIES = 1_000_000;

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

    @Option(names = "--dir", paramLabel = "DIR", description = "where the built-in configuration puts its lanes " +
        "and --disks its disk images (default ./data)")
    Path dir = Path.of("data");

    @Option(names = "--keep", description = "keep the built-in configuration's files")
    boolean keep;

    @Option(names = "--repeat", paramLabel = "R", description = "runs (each on fresh files); the median is reported. " +
        "--matrix and --disks default to 3 interleaved rounds")
    int repeat = -1;

    @Option(names = "--warmup", paramLabel = "M", description = "entries appended before measuring (default: a tenth, at most 200,000)")
    long warmup = -1;

    @Option(names = "--matrix", description = "256 B and 4 KiB entries x 1 and 3 lanes x pwrite and mmap, interleaved")
    boolean matrix;

    @Option(names = "--sweep", description = "the flush-threshold sweep: memory_flush_size_bytes x sync_mode x " +
        "flush_interval_ms x ring_buffer_size, each at several offered loads")
    boolean sweep;

    @Option(names = "--quick", description = "with --sweep: a smaller grid and shorter points (under 3 minutes)")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "with --sweep: where sweep.csv, the plots and " +
        "recommendation.txt go (default ./sweep-<time>)")
    Path out;

    @Option(names = "--seconds", paramLabel = "S", description = "with --sweep or --disks: measured seconds per " +
        "point (default: sweep 3, quick 1.5, disks 8)")
    double seconds = -1;

    @Option(names = "--flush-sizes", split = ",", paramLabel = "BYTES", description = "with --sweep: " +
        "memory_flush_size_bytes values, e.g. 256KiB,1MiB")
    List<String> flushSizes;

    @Option(names = "--sync-modes", split = ",", paramLabel = "MODE", description = "with --sweep: sync_mode values")
    List<SyncMode> syncModes;

    @Option(names = "--flush-intervals", split = ",", paramLabel = "MS", description = "with --sweep: " +
        "flush_interval_ms values (Periodic only)")
    List<Long> flushIntervals;

    @Option(names = "--ring-sizes", split = ",", paramLabel = "SLOTS", description = "with --sweep: ring_buffer_size values")
    List<Integer> ringSizes;

    @Option(names = "--loads", split = ",", paramLabel = "FRACTION", description = "with --sweep: offered loads " +
        "as fractions of each setting's saturation throughput, e.g. 0.25,0.5,0.8 (saturation is always run)")
    List<Double> loads;

    @Option(names = "--disks", paramLabel = "N", description = "run 1..N lanes on N loop-mounted ext4 disks, each " +
        "throttled with cgroup blkio (root only; everything is removed afterwards)")
    int disks;

    @Option(names = "--disk-mbps", paramLabel = "MB", description = "with --disks: write bandwidth of each disk in " +
        "MB/s (default 50)")
    long diskMbps = 50;

    @Option(names = "--disk-size", paramLabel = "BYTES", description = "with --disks: size of each (sparse) disk " +
        "image (default 2 GiB)")
    String diskSize = "2 GiB";

    @Option(names = "--codec", paramLabel = "CODEC", description = "null, zstandard, snappy or deflate (overrides " +
        "the configuration)")
    String codec;

    @Option(names = "--codecs", description = "every codec on JSON-like text and on float vectors, interleaved: " +
        "throughput and bytes written per entry (default 1 KiB entries, 300,000 a run, no checkpoints)")
    boolean codecs;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter stdout = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if ((matrix ? 1 : 0) + (sweep ? 1 : 0) + (disks != 0 ? 1 : 0) + (codecs ? 1 : 0) > 1)
        {
            throw new SpindleCli.UsageException("choose one of --matrix, --sweep, --disks and --codecs");
        }
        if (quick && !sweep)
        {
            throw new SpindleCli.UsageException("--quick goes with --sweep");
        }
        if (workload.rate > 0 && (sweep || disks != 0 || matrix || codecs))
        {
            throw new SpindleCli.UsageException("--rate goes with a single run: --sweep chooses its own offered loads, " +
                "--disks, --matrix and --codecs run at saturation");
        }
        if (codecs)
        {
            defaults(DEFAULT_ENTRY_SIZE, 300_000);
            workload.check();
            final WalOptions base = baseOptions();
            return new CodecMatrix(this::runCodec, repeat > 0 ? repeat : 3, String.format(Locale.ROOT,
                "%d lane(s), io_mode=%s, sync_mode=%s, %d collections, %d threads, %,d B entries, %,d entries a run",
                config == null ? lanes : base.walUrls().size(), base.ioMode(), base.syncMode(), workload.collections,
                workload.threads, workload.entrySize, workload.entries), err).run(stdout);
        }
        if (matrix)
        {
            matrixDefaults();
            return new BenchMatrix((size, entries, laneCount, io, sync) -> runOnce(size, entries, laneCount, io, sync).result(),
                repeat > 0 ? repeat : 3, syncMode == null ? SyncMode.PerBatch : syncMode,
                workload.entries > 0 ? workload.entries : 4_000_000, workload.collections, workload.threads, err)
                .run(stdout);
        }
        if (sweep)
        {
            defaults(DEFAULT_ENTRY_SIZE, 0);
            workload.check();
            final SweepGrid grid = SweepGrid.of(quick, flushSizes, syncModes, flushIntervals, ringSizes, loads,
                seconds > 0 ? seconds : -1);
            final WalOptions base = baseOptions();
            final Callable<Scratch> fresh = config != null ? () -> Scratch.besideLanes(base, false) :
                () -> Scratch.under(dir, lanes, false);
            fresh.call().close();   // a remote lane in the configuration is refused here, before anything runs
            return new Sweep(base, fresh, grid, params(), out, stdout, err).run();
        }
        if (disks != 0)
        {
            workload.defaults(4096, 0, 2, 1);   // per lane
            workload.check();
            return new DiskScaling(disks, diskMbps, WorkloadOptions.bytes("--disk-size", diskSize), dir, baseOptions(),
                params(), seconds > 0 ? seconds : 8, repeat > 0 ? repeat : 3, stdout, err).run();
        }
        defaults(DEFAULT_ENTRY_SIZE, DEFAULT_ENTRIES);
        workload.check();
        final List<Run> runs = new ArrayList<>();
        for (int r = 0; r < Math.max(1, repeat); r++)
        {
            final Run run = runOnce(workload.entrySize, workload.entries, lanes, ioMode, syncMode);
            runs.add(run);
            if (repeat > 1)
            {
                stdout.println("run " + (r + 1) + ": " + json(run));
            }
        }
        runs.sort(Comparator.comparingDouble(run -> run.result().entriesPerSecond()));
        final Run median = runs.get(runs.size() / 2);
        summary(stdout, median);
        stdout.println(json(median));
        return SpindleCli.OK;
    }

    /**
     * {@code --matrix}: 256 B entries unless {@code --entry-size} says otherwise (the matrix runs 256 B and 4 KiB
     * anyway), and entries 0, which {@link BenchMatrix} reads as 4,000,000 per point; then the usual checks.
     */
    void matrixDefaults()
    {
        defaults(256, 0);
        workload.check();
    }

    void defaults(final int entrySize, final long entries)
    {
        workload.defaults(entrySize, entries, DEFAULT_COLLECTIONS, DEFAULT_THREADS);
    }

    /**
     * One {@code --codecs} cell on fresh lanes: no checkpoints, so every segment written is still there to count.
     */
    private CodecMatrix.Run runCodec(final Codec cellCodec, final Payloads.Kind payload) throws Exception
    {
        final WalOptions base = baseOptions();
        final long warm = warmup >= 0 ? warmup : Math.min(200_000, workload.entries / 10);
        final LoadGenerator.Params params = new LoadGenerator.Params(workload.collections, workload.entrySize,
            workload.threads, workload.seed, 0, null, false, 0, payload);
        try (Scratch scratch = config != null ? Scratch.besideLanes(base, keep) : Scratch.under(dir, lanes, keep))
        {
            final WalOptions options = withCodec(scratch.options(base), base, cellCodec).build();
            final LoadGenerator.Result result = LoadGenerator.runOn(options, params,
                LoadGenerator.Phase.entries(warm), LoadGenerator.Phase.entries(workload.entries),
                spec.commandLine().getErr());
            long disk = 0;
            for (final String lane : scratch.lanes())
            {
                disk += segmentBytes(Path.of(lane));
            }
            return new CodecMatrix.Run(result, disk);
        }
    }

    /** @return the bytes of the segment files under {@code lane}. */
    private static long segmentBytes(final Path lane) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(lane))
        {
            long total = 0;
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                if (name.endsWith(".avro") || name.endsWith(".open"))     // sealed and active segments
                {
                    total += java.nio.file.Files.size(p);
                }
            }
            return total;
        }
    }

    private LoadGenerator.Params params()
    {
        return new LoadGenerator.Params(workload.collections, workload.entrySize, workload.threads, workload.seed,
            workload.rate, null, !workload.quiet, workload.checkpointBytes(DEFAULT_CHECKPOINT_MIB), workload.payload);
    }

    /**
     * @return the configuration's options, or the built-in ones, with --io-mode and --sync-mode applied.
     */
    private WalOptions baseOptions()
    {
        final WalOptions.Builder builder = config != null ?
            SpindleCli.load(config, spec.commandLine().getErr()).toBuilder() : WalOptions.builder();
        if (ioMode != null)
        {
            builder.ioMode(ioMode);
        }
        if (syncMode != null)
        {
            builder.syncMode(syncMode);
        }
        final WalOptions options = builder.build();
        return codec == null ? options : withCodec(options.toBuilder(), options, codecNamed(codec)).build();
    }

    /**
     * @return {@code builder} with {@code codec}, keeping the configuration's {@code codec_level} only for the codec it
     *     was given for (another codec takes its own default).
     */
    private static WalOptions.Builder withCodec(final WalOptions.Builder builder, final WalOptions configured,
        final Codec codec)
    {
        return builder.codec(codec).codecLevel(codec == configured.codec() ? configured.codecLevel() : 0);
    }

    private static Codec codecNamed(final String name)
    {
        final Codec codec = Codec.ofAvroName(name);
        if (codec == null)
        {
            throw new SpindleCli.UsageException("--codec " + name + ": give null, zstandard, snappy or deflate");
        }
        return codec;
    }

    /** One measured run, the options it used and the disk's own commit latency next to it (or null). */
    record Run(LoadGenerator.Result result, WalOptions options, LoadGenerator.Params params, Histogram diskSync)
    {
    }

    /**
     * One run on fresh lanes of the built-in configuration, or on the configured WAL.
     */
    Run runOnce(final int entrySize, final long entries, final int laneCount, final IoMode io, final SyncMode sync)
        throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        if (config == null && (laneCount < 1 || laneCount > 64))
        {
            throw new SpindleCli.UsageException("--lanes must be 1..64, not " + laneCount);
        }
        final long warm = warmup >= 0 ? warmup : Math.min(200_000, entries / 10);
        final LoadGenerator.Params params = new LoadGenerator.Params(workload.collections, entrySize, workload.threads,
            workload.seed, workload.rate, null, !workload.quiet, workload.checkpointBytes(DEFAULT_CHECKPOINT_MIB),
            workload.payload);
        try (Scratch scratch = config == null ? Scratch.under(dir, laneCount, keep) : null)
        {
            final WalOptions.Builder builder = config == null ? scratch.options(WalOptions.builder().build()) :
                SpindleCli.load(config, err).toBuilder();
            if (io != null)
            {
                builder.ioMode(io);
            }
            if (sync != null)
            {
                builder.syncMode(sync);
            }
            final WalOptions configured = builder.build();
            final WalOptions options = codec == null ? configured :
                withCodec(configured.toBuilder(), configured, codecNamed(codec)).build();
            final Histogram diskSync = probe(options);
            final LoadGenerator.Result result = LoadGenerator.runOn(options, params, LoadGenerator.Phase.entries(warm),
                LoadGenerator.Phase.entries(entries), err);
            return new Run(result, options, params, diskSync);
        }
    }

    /**
     * @return the fdatasync latency of 4 KiB appends beside the first lane, or null when it is not a local disk.
     */
    private static Histogram probe(final WalOptions options) throws java.io.IOException
    {
        if (options.syncMode() == SyncMode.MemoryOnly)
        {
            return null;
        }
        final Path lane;
        try
        {
            lane = Scratch.localPath(options.walUrls().get(0), 0);
        }
        catch (final IllegalArgumentException remote)
        {
            return null;
        }
        return SyncProbe.besideLane(lane);
    }

    private void summary(final PrintWriter out, final Run run)
    {
        final LoadGenerator.Result r = run.result();
        final WalOptions options = run.options();
        final Histogram h = r.latencyMicros();
        out.printf(Locale.ROOT, "Spindle bench: %d lane(s), io_mode=%s, sync_mode=%s, codec=%s, %d collections, %d " +
            "threads, %,d B entries (%s), %s%n", options.walUrls().size(), options.ioMode(), options.syncMode(),
            options.codec(), workload.collections, workload.threads, run.params().entrySize(), run.params().payload(), run.params().checkpointBytes() > 0 ? "checkpoint every " +
            (run.params().checkpointBytes() >> 20) + " MiB per collection" : "never checkpointed");
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
        if (run.diskSync() != null)
        {
            out.printf(Locale.ROOT, "  disk         4 KiB append + fdatasync beside the first lane: p50 %,d us, p99 %,d us " +
                "(%d commits, measured before this run)%n", run.diskSync().getValueAtPercentile(50),
                run.diskSync().getValueAtPercentile(99), run.diskSync().getTotalCount());
        }
        if (r.metrics() != null)
        {
            for (final WalMetrics.Lane lane : r.metrics().lanes())
            {
                out.printf(Locale.ROOT, "  lane %d       %,d batches of %.1f entries on average; fsync p50 %,d us, p99 %,d us " +
                    "(%,d); commit p50 %,d us, p99 %,d us; ring wait p99 %,d us (Wal.metrics(), warm-up included)%n",
                    lane.index(), lane.batches(), lane.batchEntries().mean(), lane.sync().p50() / 1000,
                    lane.sync().p99() / 1000, lane.sync().count(), lane.commit().p50() / 1000,
                    lane.commit().p99() / 1000, lane.ringWait().p99() / 1000);
            }
        }
    }

    private String json(final Run run)
    {
        return BenchJson.toString(g -> {
            g.writeStartObject();
            BenchJson.writeResult(g, run.result());
            BenchJson.writeSetup(g, run.params(), run.options());
            if (workload.rate > 0)
            {
                g.writeNumberField("offered_rate", workload.rate);
                BenchJson.writePercentiles(g, "generator_late_us", run.result().lateMicros());
            }
            if (run.diskSync() != null)
            {
                BenchJson.writePercentiles(g, "disk_sync_us", run.diskSync());
            }
            if (run.result().metrics() != null)
            {
                BenchJson.writeLanes(g, run.result().metrics());
            }
            g.writeEndObject();
        });
    }
}
