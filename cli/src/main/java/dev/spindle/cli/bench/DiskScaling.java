package dev.spindle.cli.bench;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.WalOptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code spindle bench --disks N} (root): N loop-mounted ext4 disks, each throttled to the same write
 * bandwidth ({@link LoopDisks}), then 1, 2, .. N lanes on the first k of them, in interleaved rounds; prints
 * the scaling table (entries/s, MB/s, ratio to one lane, share of the disks' combined ceiling) and one JSON
 * object. Lanes share nothing on the hot path, so the ideal is k times one lane until the cores run out.
 *
 * <p>Each lane gets the same share of the workload (collections and producer threads per lane), placed with
 * {@code RoundRobin} and affinity so that every lane holds exactly as many collections as the others.
 */
public final class DiskScaling
{
    private static final int MAX_DISKS = 16;
    private static final double WARMUP_SECONDS = 1;

    private final int count;
    private final long megabytesPerSecond;
    private final long diskBytes;
    private final Path dir;
    private final WalOptions base;
    private final LoadGenerator.Params perLane;
    private final double seconds;
    private final int rounds;
    private final PrintWriter stdout;
    private final PrintWriter err;
    private final AtomicBoolean stop = new AtomicBoolean();

    /**
     * @param perLane the workload of one lane: collections and threads are multiplied by the lanes of a run.
     */
    public DiskScaling(final int count, final long megabytesPerSecond, final long diskBytes, final Path dir,
        final WalOptions base, final LoadGenerator.Params perLane, final double seconds, final int rounds,
        final PrintWriter stdout, final PrintWriter err)
    {
        this.count = count;
        this.megabytesPerSecond = megabytesPerSecond;
        this.diskBytes = diskBytes;
        this.dir = dir;
        this.base = base;
        this.perLane = perLane;
        this.seconds = seconds;
        this.rounds = rounds;
        this.stdout = stdout;
        this.err = err;
    }

    /** The runs of one lane count. */
    private record Row(int lanes, List<LoadGenerator.Result> results)
    {
        LoadGenerator.Result median()
        {
            return results.stream().sorted(Comparator.comparingDouble(LoadGenerator.Result::entriesPerSecond))
                .toList().get(results.size() / 2);
        }

        double min()
        {
            return results.stream().mapToDouble(LoadGenerator.Result::megabytesPerSecond).min().orElse(0);
        }

        double max()
        {
            return results.stream().mapToDouble(LoadGenerator.Result::megabytesPerSecond).max().orElse(0);
        }
    }

    public int run() throws Exception
    {
        checkUsage();
        LoopDisks.removeStale(dir, err);   // before the space check: a killed run's images are freed first
        checkSpace();
        final List<Row> rows = new ArrayList<>();
        for (int k = 1; k <= count; k++)
        {
            rows.add(new Row(k, new ArrayList<>()));
        }
        final String kind;
        try (LoopDisks disks = LoopDisks.create(dir, count, diskBytes, megabytesPerSecond * 1_000_000L, stop,
            err))
        {
            kind = disks.throttleKind();
            for (final LoopDisks.Disk disk : disks.disks())
            {
                err.printf(Locale.ROOT, "spindle: disk %s (%s) mounted at %s, writes limited to %d MB/s (%s)%n",
                    disk.device(), disk.number(), disk.mount(), megabytesPerSecond, kind);
            }
            err.flush();
            try (Progress progress = new Progress(err, "disks", (long)rounds * count))
            {
                for (int r = 0; r < rounds && !stop.get(); r++)
                {
                    for (final Row row : rows)
                    {
                        if (stop.get())
                        {
                            break;
                        }
                        progress.doing(String.format(Locale.ROOT, "round %d of %d, %d lane(s)", r + 1, rounds, row.lanes()));
                        row.results().add(measure(disks.mounts().subList(0, row.lanes())));
                        progress.step();
                    }
                }
            }
        }
        if (stop.get())
        {
            return 1;   // the shutdown hook reports it
        }
        print(rows, kind);
        return 0;
    }

    private void checkUsage()
    {
        if (!Shell.isRoot())
        {
            throw new IllegalArgumentException("bench --disks needs root: it creates loop devices, mounts them and " +
                "limits their bandwidth with cgroups; run it as root (sudo bin/spindle bench --disks " + count + ")");
        }
        if (count < 1 || count > MAX_DISKS)
        {
            throw new IllegalArgumentException("--disks must be 1.." + MAX_DISKS + ", not " + count);
        }
        if (megabytesPerSecond < 1)
        {
            throw new IllegalArgumentException("--disk-mbps must be at least 1, not " + megabytesPerSecond);
        }
        final List<String> missing = Shell.missing("losetup", "mkfs.ext4", "mount", "umount", "mountpoint", "truncate");
        if (!missing.isEmpty())
        {
            throw new IllegalArgumentException("bench --disks needs " + String.join(", ", missing) +
                " (Debian: apt-get install util-linux mount e2fsprogs coreutils)");
        }
        final double written = megabytesPerSecond * 1e6 * (seconds + WARMUP_SECONDS) * 1.25 + 128e6;
        if (diskBytes < written)
        {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--disk-size %,d bytes is too small: a run " +
                "of %.1f s at %d MB/s writes about %,.0f bytes to each disk", diskBytes, seconds + WARMUP_SECONDS,
                megabytesPerSecond, written));
        }
    }

    /**
     * The images are sparse, but every round writes new blocks into them and nothing is discarded, so they can grow
     * to their full size.
     */
    private void checkSpace() throws IOException
    {
        Files.createDirectories(dir);
        final long usable = Files.getFileStore(dir).getUsableSpace();
        if ((double)count * diskBytes > usable)
        {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s has %,d bytes free; %d disk images of " +
                "--disk-size %,d bytes can grow to %,d: free space, or lower --disks or --disk-size",
                dir.toAbsolutePath(), usable, count, diskBytes, count * diskBytes));
        }
    }

    private LoadGenerator.Result measure(final List<Path> mounts) throws Exception
    {
        final int lanes = mounts.size();
        try (Scratch scratch = Scratch.onMounts(mounts))
        {
            final WalOptions options = scratch.options(base).distributionStrategy(DistributionStrategy.RoundRobin)
                .collectionAffinity(true).build();
            final LoadGenerator.Params params = new LoadGenerator.Params(perLane.collections() * lanes,
                perLane.entrySize(), perLane.threads() * lanes, perLane.seed(), 0, null, false, perLane.checkpointBytes(),
                perLane.payload());
            return LoadGenerator.runOn(options, params, LoadGenerator.Phase.seconds(WARMUP_SECONDS),
                LoadGenerator.Phase.seconds(seconds), err, stop);
        }
    }

    private void print(final List<Row> rows, final String kind)
    {
        stdout.printf(Locale.ROOT, "Spindle bench --disks %d: loop-mounted ext4 disks, writes of each limited to %d MB/s " +
                "(%s); %,d B entries, %d collections and %d producer thread(s) per lane, %s, %s; median of %d " +
                "interleaved round(s) of %.1f s%n", count, megabytesPerSecond, kind, perLane.entrySize(),
            perLane.collections(), perLane.threads(), base.syncMode(), base.ioMode(), rounds, seconds);
        stdout.printf(Locale.ROOT, "%5s %14s %9s %17s %10s %12s %9s%n", "lanes", "entries/s", "MB/s", "MB/s min-max",
            "vs 1 lane", "of ceiling", "p99 ms");
        final double one = rows.get(0).median().megabytesPerSecond();
        for (final Row row : rows)
        {
            final LoadGenerator.Result m = row.median();
            stdout.printf(Locale.ROOT, "%5d %,14.0f %9.1f %8.1f-%-8.1f %9.2fx %11.0f%% %9.2f%n", row.lanes(),
                m.entriesPerSecond(), m.megabytesPerSecond(), row.min(), row.max(), m.megabytesPerSecond() / one,
                100 * m.megabytesPerSecond() / (row.lanes() * megabytesPerSecond),
                m.latencyMicros().getValueAtPercentile(99) / 1000.0);
        }
        stdout.println(BenchJson.toString(g -> {
            g.writeStartObject();
            g.writeNumberField("disks", count);
            g.writeNumberField("disk_mb_per_sec", megabytesPerSecond);
            g.writeStringField("throttle", kind);
            g.writeNumberField("rounds", rounds);
            g.writeArrayFieldStart("runs");
            for (final Row row : rows)
            {
                final LoadGenerator.Result m = row.median();
                g.writeStartObject();
                g.writeNumberField("lanes", row.lanes());
                BenchJson.writeResult(g, m);
                g.writeNumberField("mb_per_sec_min", BenchJson.round(row.min(), 1));
                g.writeNumberField("mb_per_sec_max", BenchJson.round(row.max(), 1));
                g.writeNumberField("vs_one_lane", BenchJson.round(m.megabytesPerSecond() / one, 3));
                g.writeNumberField("of_ceiling", BenchJson.round(m.megabytesPerSecond() / (row.lanes() * megabytesPerSecond), 3));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }
}
