package dev.spindle.cli.bench;

import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code spindle bench --matrix}: every combination of entry size (256 B, 4 KiB), lanes (1, 3) and
 * io_mode (pwrite, mmap), run round-robin {@code --repeat} times (default 3) so that the machine's
 * drift hits every cell alike; reports each cell's median and the ratio of medians, all from the same run.
 */
public final class BenchMatrix
{
    private static final int[] SIZES = {256, 4096};
    private static final int[] LANES = {1, 3};
    private static final IoMode[] MODES = {IoMode.pwrite, IoMode.mmap};

    /** Runs one cell on fresh files. */
    public interface Runner
    {
        LoadGenerator.Result run(int entrySize, long entries, int lanes, IoMode io, SyncMode sync) throws Exception;
    }

    private final Runner runner;
    private final int repeat;
    private final SyncMode sync;
    private final long smallEntries;
    private final int collections;
    private final int threads;
    private final PrintWriter err;

    /**
     * @param smallEntries entries of a 256 B cell; a 4 KiB cell gets the same bytes.
     */
    public BenchMatrix(final Runner runner, final int repeat, final SyncMode sync, final long smallEntries,
        final int collections, final int threads, final PrintWriter err)
    {
        this.runner = runner;
        this.repeat = repeat;
        this.sync = sync;
        this.smallEntries = smallEntries;
        this.collections = collections;
        this.threads = threads;
        this.err = err;
    }

    private static final class Cell
    {
        final int size;
        final int lanes;
        final IoMode mode;
        final List<LoadGenerator.Result> results = new ArrayList<>();

        Cell(final int size, final int lanes, final IoMode mode)
        {
            this.size = size;
            this.lanes = lanes;
            this.mode = mode;
        }

        LoadGenerator.Result median()
        {
            final List<LoadGenerator.Result> sorted = new ArrayList<>(results);
            sorted.sort(Comparator.comparingDouble(LoadGenerator.Result::entriesPerSecond));
            return sorted.get(sorted.size() / 2);
        }

        long medianPercentile(final double p)
        {
            final long[] values = results.stream().mapToLong(r -> r.latencyMicros().getValueAtPercentile(p)).sorted()
                .toArray();
            return values[values.length / 2];
        }
    }

    public int run(final PrintWriter out) throws Exception
    {
        final List<Cell> cells = new ArrayList<>();
        for (final int size : SIZES)
        {
            for (final int lanes : LANES)
            {
                for (final IoMode mode : MODES)
                {
                    cells.add(new Cell(size, lanes, mode));
                }
            }
        }
        for (int r = 0; r < repeat; r++)
        {
            for (final Cell cell : cells)
            {
                final long entries = smallEntries * 256 / cell.size;
                final LoadGenerator.Result result = runner.run(cell.size, entries, cell.lanes, cell.mode, sync);
                cell.results.add(result);
                err.printf(Locale.ROOT, "[spindle] round %d/%d: %5d B, %d lane(s), %-6s %,12.0f entries/s %8.1f MB/s%n",
                    r + 1, repeat, cell.size, cell.lanes, cell.mode, result.entriesPerSecond(),
                    result.megabytesPerSecond());
                err.flush();
            }
        }
        out.printf(Locale.ROOT, "Spindle bench matrix: sync_mode=%s, %d collections, %d threads, median of %d runs%n",
            sync, collections, threads, repeat);
        out.printf(Locale.ROOT, "%7s %5s %-6s %14s %9s %9s %9s %9s %14s%n", "entry", "lanes", "io", "entries/s", "MB/s",
            "p50 us", "p99 us", "p999 us", "vs pwrite 1L");
        for (final Cell cell : cells)
        {
            final LoadGenerator.Result m = cell.median();
            final Cell base = cells.stream().filter(c -> c.size == cell.size && c.lanes == 1 && c.mode == IoMode.pwrite)
                .findFirst().orElseThrow();
            out.printf(Locale.ROOT, "%5d B %5d %-6s %,14.0f %9.1f %,9d %,9d %,9d %13.2fx%n", cell.size, cell.lanes,
                cell.mode, m.entriesPerSecond(), m.megabytesPerSecond(), cell.medianPercentile(50),
                cell.medianPercentile(99), cell.medianPercentile(99.9),
                m.entriesPerSecond() / base.median().entriesPerSecond());
        }
        out.println(BenchJson.toString(g -> {
            g.writeStartObject();
            g.writeStringField("sync_mode", sync.name());
            g.writeNumberField("repeat", repeat);
            g.writeArrayFieldStart("cells");
            for (final Cell cell : cells)
            {
                final LoadGenerator.Result m = cell.median();
                final Histogram h = m.latencyMicros();
                g.writeStartObject();
                g.writeNumberField("entry_size", cell.size);
                g.writeNumberField("lanes", cell.lanes);
                g.writeStringField("io_mode", cell.mode.name());
                BenchJson.writeResult(g, m, cell.medianPercentile(50), cell.medianPercentile(99),
                    cell.medianPercentile(99.9), h.getMaxValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
        return 0;
    }
}
