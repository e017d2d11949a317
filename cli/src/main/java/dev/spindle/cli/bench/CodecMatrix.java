package dev.spindle.cli.bench;

import dev.spindle.wal.Codec;
import dev.spindle.wal.WalMetrics;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code spindle bench --codecs}: every codec on JSON-like text and on float vectors, run round-robin
 * {@code --repeat} times (default 3) so that the machine's drift hits every cell alike. Reports each cell's median
 * throughput with its spread and, from the files the run left, the bytes written to disk per entry and as a share of
 * the entries' encoded bytes: what a remote lane uploads too, as it uploads each sealed segment as it is.
 */
public final class CodecMatrix
{
    private static final Payloads.Kind[] PAYLOADS = {Payloads.Kind.text, Payloads.Kind.vectors};

    /** One measured run and the bytes of segment files it left. */
    public record Run(LoadGenerator.Result result, long diskBytes)
    {
        long encodedBytes()
        {
            return result.metrics().lanes().stream().mapToLong(WalMetrics.Lane::bytes).sum();
        }

        long entriesWritten()
        {
            return result.metrics().lanes().stream().mapToLong(WalMetrics.Lane::entries).sum();
        }
    }

    /** Runs one cell on fresh files, without checkpoints (every segment stays to be counted). */
    public interface Runner
    {
        Run run(Codec codec, Payloads.Kind payload) throws Exception;
    }

    private static final class Cell
    {
        final Payloads.Kind payload;
        final Codec codec;
        final List<Run> runs = new ArrayList<>();

        Cell(final Payloads.Kind payload, final Codec codec)
        {
            this.payload = payload;
            this.codec = codec;
        }

        Run median()
        {
            final List<Run> sorted = new ArrayList<>(runs);
            sorted.sort(Comparator.comparingDouble(r -> r.result().entriesPerSecond()));
            return sorted.get(sorted.size() / 2);
        }

        double min()
        {
            return runs.stream().mapToDouble(r -> r.result().entriesPerSecond()).min().orElse(0);
        }

        double max()
        {
            return runs.stream().mapToDouble(r -> r.result().entriesPerSecond()).max().orElse(0);
        }

        /** Disk bytes per entry; the same in every run of a cell (same entries, same codec). */
        double bytesPerEntry()
        {
            final Run r = runs.get(0);
            return (double)r.diskBytes() / Math.max(1, r.entriesWritten());
        }

        double shareOfEncoded()
        {
            final Run r = runs.get(0);
            return (double)r.diskBytes() / Math.max(1, r.encodedBytes());
        }

        long medianP99()
        {
            final long[] values = runs.stream().mapToLong(r -> r.result().latencyMicros().getValueAtPercentile(99))
                .sorted().toArray();
            return values[values.length / 2];
        }
    }

    private final Runner runner;
    private final int repeat;
    private final String setup;
    private final PrintWriter err;

    /**
     * @param setup what every cell shares (lanes, modes, entry size), for the table's title.
     */
    public CodecMatrix(final Runner runner, final int repeat, final String setup, final PrintWriter err)
    {
        this.runner = runner;
        this.repeat = repeat;
        this.setup = setup;
        this.err = err;
    }

    public int run(final PrintWriter out) throws Exception
    {
        final List<Cell> cells = new ArrayList<>();
        for (final Payloads.Kind payload : PAYLOADS)
        {
            for (final Codec codec : Codec.values())
            {
                cells.add(new Cell(payload, codec));
            }
        }
        for (int r = 0; r < repeat; r++)
        {
            for (final Cell cell : cells)
            {
                final Run run = runner.run(cell.codec, cell.payload);
                cell.runs.add(run);
                err.printf(Locale.ROOT, "[spindle] round %d/%d: %-7s %-9s %,12.0f entries/s %8.1f MB/s, %,.0f B on disk " +
                    "per entry%n", r + 1, repeat, cell.payload, cell.codec, run.result().entriesPerSecond(),
                    run.result().megabytesPerSecond(), (double)run.diskBytes() / Math.max(1, run.entriesWritten()));
                err.flush();
            }
        }
        out.printf(Locale.ROOT, "Spindle bench --codecs: %s; median of %d interleaved runs%n", setup, repeat);
        out.printf(Locale.ROOT, "%-8s %-10s %12s %21s %8s %12s %10s %10s %9s%n", "payload", "codec", "entries/s",
            "min-max", "MB/s", "disk B/entry", "of encoded", "vs null", "p99 us");
        for (final Cell cell : cells)
        {
            final LoadGenerator.Result m = cell.median().result();
            final Cell none = cells.stream().filter(c -> c.payload == cell.payload && c.codec == Codec.NULL)
                .findFirst().orElseThrow();
            out.printf(Locale.ROOT, "%-8s %-10s %,12.0f %,10.0f-%,10.0f %8.1f %,12.0f %9.0f%% %9.2fx %,9d%n",
                cell.payload, cell.codec, m.entriesPerSecond(), cell.min(), cell.max(), m.megabytesPerSecond(),
                cell.bytesPerEntry(), 100 * cell.shareOfEncoded(),
                m.entriesPerSecond() / none.median().result().entriesPerSecond(), cell.medianP99());
        }
        out.println(BenchJson.toString(g -> {
            g.writeStartObject();
            g.writeStringField("setup", setup);
            g.writeNumberField("repeat", repeat);
            g.writeArrayFieldStart("cells");
            for (final Cell cell : cells)
            {
                final LoadGenerator.Result m = cell.median().result();
                g.writeStartObject();
                g.writeStringField("payload", cell.payload.name());
                g.writeStringField("codec", cell.codec.avroName());
                g.writeNumberField("entries_per_second", Math.round(m.entriesPerSecond()));
                g.writeNumberField("entries_per_second_min", Math.round(cell.min()));
                g.writeNumberField("entries_per_second_max", Math.round(cell.max()));
                g.writeNumberField("megabytes_per_second", m.megabytesPerSecond());
                g.writeNumberField("disk_bytes_per_entry", cell.bytesPerEntry());
                g.writeNumberField("disk_share_of_encoded", cell.shareOfEncoded());
                g.writeNumberField("p99_us", cell.medianP99());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
        return 0;
    }
}
