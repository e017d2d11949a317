package dev.spindle.cli.bench;

import dev.spindle.wal.WalOptions;
import org.HdrHistogram.Histogram;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code spindle bench --sweep}: runs every setting of the {@link SweepGrid} at saturation, then at each
 * offered load (a fraction of that setting's saturation throughput), on fresh lanes each time. Settings are
 * interleaved (all saturation runs, then every setting at the lowest load, and so on), so the machine's
 * drift falls on all of them alike. Writes {@code sweep.csv} as it goes, then the plots
 * ({@code sweep-<sync_mode>.png}) and {@code recommendation.txt}, which it also prints.
 */
public final class Sweep
{
    private final WalOptions base;
    private final Callable<Scratch> lanes;
    private final SweepGrid grid;
    private final LoadGenerator.Params params;
    private final Path out;
    private final PrintWriter stdout;
    private final PrintWriter err;

    /**
     * @param base every key but the swept ones and {@code wal_urls}.
     * @param lanes fresh lane directories for one point.
     * @param out the output directory, or null for {@code ./sweep-<time>}.
     */
    public Sweep(final WalOptions base, final Callable<Scratch> lanes, final SweepGrid grid,
        final LoadGenerator.Params params, final Path out, final PrintWriter stdout, final PrintWriter err)
    {
        this.base = base;
        this.lanes = lanes;
        this.grid = grid;
        this.params = params;
        this.out = out != null ? out :
            Path.of("sweep-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        this.stdout = stdout;
        this.err = err;
    }

    public int run() throws Exception
    {
        final List<SweepGrid.Setting> settings = grid.settings();
        Files.createDirectories(out);
        final Histogram disk;
        final String where;
        try (Scratch probe = lanes.call())
        {
            where = probe.describe();
            disk = SyncProbe.besideLane(probe.firstLane());
        }
        err.printf(Locale.ROOT, "spindle bench --sweep%s: %d settings x %d loads = %d points of %.1f s, about %.0f min; " +
                "writing %s%n", grid.quick() ? " --quick" : "", settings.size(), grid.loads().size() + 1, grid.points(),
            grid.seconds(), grid.estimatedSeconds() / 60, out.toAbsolutePath());
        err.flush();
        final Map<SweepGrid.Setting, List<SweepPoint>> curves = new LinkedHashMap<>();
        final Path csvFile = out.resolve("sweep.csv");
        try (BufferedWriter csv = Files.newBufferedWriter(csvFile); Progress progress = new Progress(err, "sweep", grid.points()))
        {
            csv.write(SweepPoint.CSV_HEADER);
            csv.newLine();
            for (final SweepGrid.Setting setting : settings)
            {
                progress.doing(setting.label() + " at saturation");
                curves.put(setting, new ArrayList<>(List.of(record(csv, measure(setting, 1, 0)))));
                progress.step();
            }
            for (final double load : grid.loads())
            {
                for (final SweepGrid.Setting setting : settings)
                {
                    final double saturated = curves.get(setting).get(0).entriesPerSecond();
                    final long offered = Math.round(load * saturated);
                    progress.doing(String.format(Locale.ROOT, "%s at %.0f%% (%,d entries/s)", setting.label(),
                        load * 100, offered));
                    if (offered >= 1)
                    {
                        curves.get(setting).add(record(csv, measure(setting, load, offered)));
                    }
                    progress.step();
                }
            }
        }
        final String subtitle = String.format(Locale.ROOT, "%,d B entries, %d collections, %d threads, %s",
            params.entrySize(), params.collections(), params.threads(), where);
        final Optional<Knee.Choice> durable = Knee.best(curves, SweepGrid.Setting::durableAck);
        final Optional<Knee.Choice> relaxed = Knee.best(curves, s -> !s.durableAck());
        final List<SweepGrid.Setting> recommended = new ArrayList<>();
        durable.ifPresent(c -> recommended.add(c.setting()));
        relaxed.ifPresent(c -> recommended.add(c.setting()));
        List<Path> plots;
        try
        {
            plots = SweepPlots.write(out, curves, recommended, subtitle);
        }
        catch (final IOException | RuntimeException | Error ex)   // headless AWT without fonts throws Errors
        {
            plots = List.of();
            err.println("spindle: warning: the plots could not be drawn (" + ex + "); sweep.csv and the " +
                "recommendation are complete. A JVM draws text with the system's fonts: install fontconfig and a " +
                "font package (Debian: fonts-dejavu-core)");
        }
        final String recommendation = SweepReport.recommendation(durable, relaxed, curves, grid, subtitle, disk);
        Files.writeString(out.resolve("recommendation.txt"), recommendation);
        SweepReport.table(stdout, curves);
        stdout.println();
        stdout.print(recommendation);
        stdout.printf(Locale.ROOT, "%nWrote %s, %s and %s%n", csvFile, plots.isEmpty() ? "no plots" :
            String.join(", ", plots.stream().map(Path::toString).toList()), out.resolve("recommendation.txt"));
        stdout.println(SweepReport.json(out, grid, curves, durable, relaxed, plots));
        return 0;
    }

    private SweepPoint record(final BufferedWriter csv, final SweepPoint point) throws IOException
    {
        csv.write(point.csv());
        csv.newLine();
        csv.flush();
        return point;
    }

    private SweepPoint measure(final SweepGrid.Setting setting, final double load, final long offered) throws Exception
    {
        try (Scratch scratch = lanes.call())
        {
            final WalOptions options = setting.apply(scratch.options(base)).build();
            final LoadGenerator.Result result = LoadGenerator.runOn(options, params.quietAt(offered),
                LoadGenerator.Phase.seconds(grid.warmupSeconds()), LoadGenerator.Phase.seconds(grid.seconds()), err);
            return new SweepPoint(setting, load, offered, result);
        }
    }
}
