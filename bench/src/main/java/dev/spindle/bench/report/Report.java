package dev.spindle.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The benchmark report: Markdown tables from the JSON of several interleaved JMH rounds (medians, with the
 * spread over rounds), and the ratios the project is judged by: Spindle's durable throughput divided by each
 * peer's and by the disk's ceiling, computed round by round (a round ran every writer back to back, so the
 * machine's drift between rounds cancels) and summarised as median [min-max].
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.spindle.bench.report.Report [--out report.md] round-1.json ...
 * </pre>
 */
public final class Report
{
    /** The durable writers, in the order of the tables: benchmark, label, which parameters. */
    private record Writer(String benchmark, String label, Predicate<Measured> match, boolean spindle)
    {
    }

    private static final List<Writer> WRITERS = List.of(
        spindle("pwrite", true), spindle("pwrite", false), spindle("mmap", true), spindle("mmap", false),
        new Writer("PeerChronicleQueue.append", "Chronicle Queue, `appender.sync()`", m -> true, false),
        new Writer("PeerChronicleBytes.append", "Chronicle Bytes `MappedBytes`, `sync()`", m -> true, false),
        new Writer("PeerFileChannel.append", "plain `FileChannel`, `force(false)`", m -> true, false),
        new Writer("PeerMappedByteBuffer.append", "plain `MappedByteBuffer`, `force()`", m -> true, false));

    private static final double MIB = 1 << 20;

    private static Writer spindle(final String ioMode, final boolean checkpointed)
    {
        return new Writer("SpindleDurable.append", "Spindle, io_mode = " + ioMode + (checkpointed ?
            ", checkpointed (segments recycled)" : ", never checkpointed (new files)"),
            m -> m.param("ioMode").equals(ioMode) && Boolean.toString(checkpointed).equals(
                m.params().getOrDefault("checkpointed", "false")), true);
    }

    private final JmhResults results;
    private final StringBuilder out = new StringBuilder();
    private final Set<Measured> shown = new LinkedHashSet<>();

    private Report(final JmhResults results)
    {
        this.results = results;
    }

    public static void main(final String[] args) throws IOException
    {
        Path target = null;
        final List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals("--out") && i + 1 < args.length)
            {
                target = Path.of(args[++i]);
            }
            else
            {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty())
        {
            System.err.println("usage: Report [--out FILE] ROUND.json ...   (JMH results written with -rf json)");
            System.exit(2);
        }
        final String report;
        try
        {
            report = render(JmhResults.read(files));
        }
        catch (final IOException ex)
        {
            System.err.println("report: " + ex.getMessage());
            System.exit(2);
            return;
        }
        if (target != null)
        {
            Files.writeString(target, report);
        }
        System.out.print(report);
    }

    /**
     * @return the whole report as Markdown.
     */
    public static String render(final JmhResults results)
    {
        final Report report = new Report(results);
        report.header();
        report.writers();
        report.modes();
        report.scale();
        report.latency();
        report.appendCall();
        report.replay();
        report.encode();
        report.allocation();
        report.rest();
        return report.out.toString();
    }

    private void header()
    {
        line("Medians of %d round(s); [min-max] is the spread over rounds. JVM: %s.", results.rounds(), results.jvm());
        line("");
    }

    private void writers()
    {
        final List<Integer> sizes = sizes();
        if (sizes.isEmpty())
        {
            return;
        }
        line("### Durable writers: one producer, one sync per MiB appended");
        line("");
        line("Entries/s and MB/s of values (16-byte key + value). %s", ceilingLine());
        line("");
        final StringBuilder head = new StringBuilder("| writer |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final int size : sizes)
        {
            head.append(' ').append(size(size)).append(" |");
            rule.append("---|");
        }
        line(head.toString());
        line(rule.toString());
        for (final Writer writer : WRITERS)
        {
            final StringBuilder row = new StringBuilder("| " + writer.label() + " |");
            boolean any = false;
            for (final int size : sizes)
            {
                final Optional<Measured> m = writer(writer, size);
                any |= m.isPresent();
                row.append(' ').append(m.map(x -> String.format(Locale.ROOT, "%s/s, %.0f MB/s [%s-%s]", count(x.median()),
                    x.median() * size / 1e6, count(x.min()), count(x.max()))).orElse("-")).append(" |");
                m.ifPresent(shown::add);
            }
            if (any)
            {
                line(row.toString());
            }
        }
        line("");
        line("**Spindle / peer**, same sizes: Spindle with the io_mode of the higher median at that size (%s), divided by " +
            "the peer, round by round; median [min-max] over rounds. Above 1.00x Spindle is faster.", bestModes(sizes));
        line("");
        line(head.toString().replace("| writer |", "| Spindle / |"));
        line(rule.toString());
        for (final Writer peer : WRITERS)
        {
            if (peer.spindle())
            {
                continue;
            }
            final StringBuilder row = new StringBuilder("| " + peer.label() + " |");
            boolean any = false;
            for (final int size : sizes)
            {
                final Optional<Measured> p = writer(peer, size);
                any |= p.isPresent();
                row.append(' ').append(p.map(m -> ratio(size, m, 1)).orElse("-")).append(" |");
            }
            if (any)
            {
                line(row.toString());
            }
        }
        for (final String blocks : List.of("written", "appended"))
        {
            final Optional<Measured> ceiling = results.find("DiskCeiling.commit", m -> m.param("blocks").equals(blocks));
            if (ceiling.isPresent())
            {
                final StringBuilder row = new StringBuilder(blocks.equals("written") ?
                    "| the disk's ceiling: 1 MiB commits into written blocks (MB/s / MB/s) |" :
                    "| 1 MiB commits appending to new files (MB/s / MB/s) |");
                for (final int size : sizes)
                {
                    row.append(' ').append(ratio(size, ceiling.get(), MIB / size)).append(" |");
                }
                line(row.toString());
            }
        }
        line("");
    }

    private String ceilingLine()
    {
        final StringBuilder text = new StringBuilder();
        for (final String blocks : List.of("written", "appended"))
        {
            results.find("DiskCeiling.commit", m -> m.param("blocks").equals(blocks)).ifPresent(m -> {
                shown.add(m);
                text.append(String.format(Locale.ROOT, "%s 1 MiB write + fdatasync %s: %.0f MB/s [%.0f-%.0f]. ",
                    text.length() == 0 ? "The disk's ceiling in the same run," : "Appending to new files instead,",
                    blocks.equals("written") ? "into already-written blocks" : "", m.median() * MIB / 1e6,
                    m.min() * MIB / 1e6, m.max() * MIB / 1e6));
            });
        }
        return text.toString().replace(" :", ":").trim();
    }

    /**
     * @param scale what the peer's score is multiplied by to be in entries/s of this size.
     * @return Spindle's best mode / the peer, per round: "1.52x [1.40-1.61]".
     */
    private String ratio(final int size, final Measured peer, final double scale)
    {
        final List<Double> ratios = new ArrayList<>();
        final Optional<Measured> spindle = bestSpindle(size);
        for (int r = 0; r < results.rounds(); r++)
        {
            final int round = r;
            final double s = spindle.map(m -> m.inRound(round)).orElse(Double.NaN);
            final double p = peer.inRound(round) * scale;
            if (!Double.isNaN(s) && !Double.isNaN(p) && p > 0)
            {
                ratios.add(s / p);
            }
        }
        if (ratios.isEmpty())
        {
            return "-";
        }
        final double[] values = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        return String.format(Locale.ROOT, "**%.2fx** [%.2f-%.2f]", Measured.median(values),
            ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
            ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    /**
     * @return Spindle at {@code size} in the io_mode with the higher median (one choice for every round, so that no
     *     round picks its luckier mode).
     */
    private Optional<Measured> bestSpindle(final int size)
    {
        return WRITERS.stream().filter(Writer::spindle).map(w -> writer(w, size)).flatMap(Optional::stream)
            .max(java.util.Comparator.comparingDouble(Measured::median));
    }

    private String bestModes(final List<Integer> sizes)
    {
        return String.join(", ", sizes.stream().map(size -> size(size) + ": " + bestSpindle(size)
            .map(m -> m.param("ioMode") + ("true".equals(m.param("checkpointed")) ? " checkpointed" : ""))
            .orElse("-")).toList());
    }

    private Optional<Measured> writer(final Writer writer, final int size)
    {
        return results.find(writer.benchmark(), m -> writer.match().test(m) && m.param("valueSize").equals(
            Integer.toString(size)));
    }

    private List<Integer> sizes()
    {
        final Set<Integer> sizes = new java.util.TreeSet<>();
        for (final Writer writer : WRITERS)
        {
            for (final Measured m : results.named(writer.benchmark()))
            {
                sizes.add(Integer.parseInt(m.param("valueSize")));
            }
        }
        return List.copyOf(sizes);
    }

    private void modes()
    {
        final List<Measured> modes = sorted(results.named("ModeBenchmark.append"), "syncMode", "ioMode", "valueSize");
        if (modes.isEmpty())
        {
            return;
        }
        line("### Spindle by sync_mode and io_mode: one producer, one lane");
        line("");
        line("| sync_mode | io_mode | value | entries/s [min-max] | MB/s | allocated per append |");
        line("|---|---|---|---|---|---|");
        for (final Measured m : modes)
        {
            final int size = Integer.parseInt(m.param("valueSize"));
            line("| %s | %s | %s | %s [%s-%s] | %.0f | %s |", m.param("syncMode"), m.param("ioMode"), size(size),
                count(m.median()), count(m.min()), count(m.max()), m.median() * size / 1e6, bytesPerOp(m));
            shown.add(m);
        }
        line("");
    }

    private void scale()
    {
        final List<Measured> all = new ArrayList<>();
        for (final String method : List.of("threads1", "threads2", "threads4"))
        {
            all.addAll(results.named("ScaleBenchmark." + method));
        }
        if (all.isEmpty())
        {
            return;
        }
        line("### Spindle by lanes, collections per lane and producer threads (1 KiB values, PerBatch, one disk)");
        line("");
        line("Entries/s; in brackets the ratio to 1 lane with the same collections per lane and threads.");
        line("");
        line("| lanes | collections per lane | 1 thread | 2 threads | 4 threads |");
        line("|---|---|---|---|---|");
        for (final String lanes : List.of("1", "2", "4"))
        {
            for (final String perLane : List.of("1", "8", "64"))
            {
                final StringBuilder row = new StringBuilder("| " + lanes + " | " + perLane + " |");
                boolean any = false;
                for (final String method : List.of("threads1", "threads2", "threads4"))
                {
                    final Optional<Measured> m = results.find("ScaleBenchmark." + method,
                        x -> x.param("lanes").equals(lanes) && x.param("collectionsPerLane").equals(perLane));
                    final Optional<Measured> one = results.find("ScaleBenchmark." + method,
                        x -> x.param("lanes").equals("1") && x.param("collectionsPerLane").equals(perLane));
                    any |= m.isPresent();
                    m.ifPresent(shown::add);
                    row.append(' ').append(m.map(x -> count(x.median()) + one.map(o -> String.format(Locale.ROOT,
                        " (%.2fx)", x.median() / o.median())).orElse("")).orElse("-")).append(" |");
                }
                if (any)
                {
                    line(row.toString());
                }
            }
        }
        line("");
    }

    private void latency()
    {
        final List<Measured> all = new ArrayList<>(results.named("LatencyBenchmark.appendAsyncJoin"));
        all.addAll(results.named("LatencyBenchmark.appendAndAwait"));
        if (all.isEmpty())
        {
            return;
        }
        line("### Append-to-durable latency, one producer waiting for each entry (PerBatch), microseconds");
        line("");
        line("| measured at | io_mode | value | p50 | p90 | p99 | p99.9 | max |");
        line("|---|---|---|---|---|---|---|---|");
        for (final Measured m : sorted(all, "ioMode", "valueSize"))
        {
            line("| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f |", m.benchmark().endsWith("appendAsyncJoin") ?
                    "future completed by the lane" : "`awaitAcknowledged` (watermark)", m.param("ioMode"),
                size(Integer.parseInt(m.param("valueSize"))), m.percentile("50.0"), m.percentile("90.0"),
                m.percentile("99.0"), m.percentile("99.9"), m.percentile("100.0"));
            shown.add(m);
        }
        line("");
    }

    private void appendCall()
    {
        final List<Measured> all = sorted(results.named("AppendCallBenchmark.append"), "valueSize", "rate");
        if (all.isEmpty())
        {
            return;
        }
        line("### The append call itself, below saturation: one producer, paced, nanoseconds");
        line("");
        line("The call only, sampled by JMH; Chronicle Queue's appender with its default store (no sync) beside it.");
        line("");
        line("| writer | value | rate/s | p50 | p90 | p99 [min-max] | p99.9 [min-max] | max (median of rounds) | p99 / Chronicle's |");
        line("|---|---|---|---|---|---|---|---|---|");
        for (final Measured m : all)
        {
            final double chronicle = chronicleP99(all, m);
            final String writer = m.param("writer");
            line("| %s | %s | %s | %.0f | %.0f | %.0f%s | %.0f%s | %.0f | %s |",
                writer.equals("chronicle") ? "Chronicle Queue appender" : "Spindle " + writer.replace("/", ", "),
                size(Integer.parseInt(m.param("valueSize"))), count(Double.parseDouble(m.param("rate"))),
                m.percentile("50.0"), m.percentile("90.0"), m.percentile("99.0"), m.percentileSpread("99.0"),
                m.percentile("99.9"), m.percentileSpread("99.9"), m.percentile("100.0"),
                Double.isNaN(chronicle) ? "-" : String.format(Locale.ROOT, "%.2fx", m.percentile("99.0") / chronicle));
            shown.add(m);
        }
        line("");
    }

    /** @return the p99 of Chronicle's appender at {@code m}'s value size and rate, or NaN. */
    private static double chronicleP99(final List<Measured> all, final Measured m)
    {
        for (final Measured c : all)
        {
            if (c.param("writer").equals("chronicle") && c.param("valueSize").equals(m.param("valueSize")) &&
                c.param("rate").equals(m.param("rate")))
            {
                return c.percentile("99.0");
            }
        }
        return Double.NaN;
    }

    private void replay()
    {
        final List<Measured> replays = sorted(results.named("ReplayBenchmark.replay"), "valueSize");
        if (replays.isEmpty())
        {
            return;
        }
        line("### Replay of one collection (files in the page cache), every CRC checked");
        line("");
        line("| value | data | entries/s | MB/s of values | allocated per entry |");
        line("|---|---|---|---|---|");
        for (final Measured m : replays)
        {
            final double entriesPerReplay = m.secondary("entries") / m.median();
            final double perEntry = m.secondary("gc.alloc.rate.norm") / entriesPerReplay;
            line("| %s | %s MiB | %s | %.0f | %s |", size(Integer.parseInt(m.param("valueSize"))), m.param("dataMiB"),
                count(m.secondary("entries")), m.secondary("bytes") / 1e6, Double.isNaN(perEntry) ? "(run with -prof gc)" :
                    String.format(Locale.ROOT, "%.0f B", perEntry));
            shown.add(m);
        }
        line("");
    }

    private void encode()
    {
        final List<Measured> encodes = sorted(results.named("EncodeBenchmark.encode"), "valueSize");
        if (encodes.isEmpty())
        {
            return;
        }
        line("### Encoding on the lane thread (Avro + CRC32C into off-heap memory)");
        line("");
        line("| value | ns per entry | allocated per entry |");
        line("|---|---|---|");
        for (final Measured m : encodes)
        {
            line("| %s | %.0f | %s |", size(Integer.parseInt(m.param("valueSize"))), m.median(), bytesPerOp(m));
            shown.add(m);
        }
        line("");
    }

    private void allocation()
    {
        final java.util.Map<String, List<Measured>> byBenchmark = new java.util.TreeMap<>();
        for (final Measured m : results.all())
        {
            if (!Double.isNaN(m.secondary("gc.alloc.rate.norm")) && !m.benchmark().contains("ModeBenchmark") &&
                !m.benchmark().contains("EncodeBenchmark") && !m.benchmark().contains("ReplayBenchmark"))
            {
                byBenchmark.computeIfAbsent(m.name() + (m.threads() > 1 ? ", " + m.threads() + " threads" : ""),
                    k -> new ArrayList<>()).add(m);
            }
        }
        if (byBenchmark.isEmpty())
        {
            return;
        }
        line("### Allocation per operation (`-prof gc`, `gc.alloc.rate.norm`)");
        line("");
        line("| benchmark | parameter sets | bytes per operation, median of the sets [min-max] |");
        line("|---|---|---|");
        byBenchmark.forEach((name, list) -> {
            final double[] values = list.stream().mapToDouble(m -> m.secondary("gc.alloc.rate.norm")).toArray();
            line("| %s | %d | %.1f B [%.1f-%.1f] |", name, list.size(), Measured.median(values),
                java.util.Arrays.stream(values).min().orElse(0), java.util.Arrays.stream(values).max().orElse(0));
        });
        line("");
    }

    private void rest()
    {
        final List<Measured> rest = results.all().stream().filter(m -> !shown.contains(m)).toList();
        if (rest.isEmpty())
        {
            return;
        }
        line("### Other results");
        line("");
        line("| benchmark | threads | parameters | score [min-max] | unit |");
        line("|---|---|---|---|---|");
        for (final Measured m : rest)
        {
            line("| %s | %d | %s | %.3g [%.3g-%.3g] | %s |", m.name(), m.threads(), m.params(), m.median(), m.min(),
                m.max(), m.unit());
        }
        line("");
    }

    private static String bytesPerOp(final Measured m)
    {
        final double b = m.secondary("gc.alloc.rate.norm");
        return Double.isNaN(b) ? "(run with -prof gc)" : String.format(Locale.ROOT, "%.1f B", b);
    }

    private static List<Measured> sorted(final List<Measured> list, final String... params)
    {
        Comparator<Measured> order = Comparator.comparing(Measured::benchmark);
        for (final String p : params)
        {
            order = order.thenComparing(m -> m.param(p), Report::compareNumbersFirst);
        }
        return list.stream().sorted(order).toList();
    }

    private static int compareNumbersFirst(final String a, final String b)
    {
        try
        {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        catch (final NumberFormatException notNumbers)
        {
            return a.compareTo(b);
        }
    }

    static String size(final int bytes)
    {
        return bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    static String count(final double perSecond)
    {
        if (perSecond >= 1e6)
        {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        if (perSecond >= 1e3)
        {
            return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private void line(final String format, final Object... args)
    {
        out.append(args.length == 0 ? format : String.format(Locale.ROOT, format, args)).append('\n');
    }
}
