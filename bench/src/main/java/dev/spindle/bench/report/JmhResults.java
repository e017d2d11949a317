package dev.spindle.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The results of several JMH runs ({@code -rf json}), one file per round, grouped by benchmark and parameters.
 */
public final class JmhResults
{
    private final Map<String, Measured> results;
    private final int rounds;
    private final String jvm;

    private JmhResults(final Map<String, Measured> results, final int rounds, final String jvm)
    {
        this.results = results;
        this.rounds = rounds;
        this.jvm = jvm;
    }

    /**
     * @throws IOException when a file cannot be read or is not JMH's JSON (the message names it).
     */
    public static JmhResults read(final List<Path> files) throws IOException
    {
        final ObjectMapper json = new ObjectMapper();
        final Map<String, Builder> grouped = new LinkedHashMap<>();
        String jvm = "";
        for (int round = 0; round < files.size(); round++)
        {
            final JsonNode root;
            try
            {
                root = json.readTree(files.get(round).toFile());
            }
            catch (final IOException ex)
            {
                throw new IOException(files.get(round) + ": not readable as JMH JSON results: " + ex.getMessage(), ex);
            }
            if (root == null || !root.isArray())
            {
                throw new IOException(files.get(round) + ": expected the JSON array JMH writes with -rf json");
            }
            for (final JsonNode result : root)
            {
                final String benchmark = result.path("benchmark").asText();
                final JsonNode primary = result.path("primaryMetric");
                if (benchmark.isEmpty() || !primary.has("score"))
                {
                    throw new IOException(files.get(round) + ": a result without benchmark or primaryMetric.score");
                }
                jvm = result.path("vmName").asText() + " " + result.path("vmVersion").asText();
                final Map<String, String> params = new TreeMap<>();
                result.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                final int threads = result.path("threads").asInt(1);
                final Builder b = grouped.computeIfAbsent(Measured.key(benchmark, threads, params),
                    k -> new Builder(benchmark, params, threads, primary.path("scoreUnit").asText()));
                b.rounds.add(round);
                b.scores.add(primary.path("score").asDouble());
                final JsonNode percentiles = primary.path("scorePercentiles");
                for (final String p : List.of("50.0", "90.0", "99.0", "99.9", "100.0"))
                {
                    if (percentiles.has(p))
                    {
                        b.percentiles.computeIfAbsent(p, k -> new ArrayList<>()).add(percentiles.path(p).asDouble());
                    }
                }
                final Iterator<Map.Entry<String, JsonNode>> secondary = result.path("secondaryMetrics").fields();
                while (secondary.hasNext())
                {
                    final Map.Entry<String, JsonNode> metric = secondary.next();
                    b.secondary.computeIfAbsent(metric.getKey(), k -> new ArrayList<>())
                        .add(metric.getValue().path("score").asDouble());
                }
            }
        }
        final Map<String, Measured> results = new LinkedHashMap<>();
        grouped.forEach((key, b) -> results.put(key, b.build()));
        return new JmhResults(results, files.size(), jvm);
    }

    public int rounds()
    {
        return rounds;
    }

    public String jvm()
    {
        return jvm;
    }

    /**
     * @return every result whose benchmark name ends with {@code suffix} (e.g. "ModeBenchmark.append").
     */
    public List<Measured> named(final String suffix)
    {
        return results.values().stream().filter(m -> m.benchmark().endsWith(suffix)).toList();
    }

    /**
     * @return the result of {@code suffix} whose parameters match.
     */
    public Optional<Measured> find(final String suffix, final Predicate<Measured> match)
    {
        return named(suffix).stream().filter(match).findFirst();
    }

    public List<Measured> all()
    {
        return List.copyOf(results.values());
    }

    private static final class Builder
    {
        final String benchmark;
        final Map<String, String> params;
        final int threads;
        final String unit;
        final List<Integer> rounds = new ArrayList<>();
        final List<Double> scores = new ArrayList<>();
        final Map<String, List<Double>> percentiles = new LinkedHashMap<>();
        final Map<String, List<Double>> secondary = new LinkedHashMap<>();

        Builder(final String benchmark, final Map<String, String> params, final int threads, final String unit)
        {
            this.benchmark = benchmark;
            this.params = params;
            this.threads = threads;
            this.unit = unit;
        }

        Measured build()
        {
            final Map<String, double[]> p = new LinkedHashMap<>();
            percentiles.forEach((k, v) -> p.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
            final Map<String, double[]> s = new LinkedHashMap<>();
            secondary.forEach((k, v) -> s.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
            return new Measured(benchmark, params, threads, unit, List.copyOf(rounds),
                scores.stream().mapToDouble(Double::doubleValue).toArray(), p, s);
        }
    }
}
