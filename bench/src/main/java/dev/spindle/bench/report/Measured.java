package dev.spindle.bench.report;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark with one set of parameters, measured in several rounds: the primary score of each round, the
 * latency percentiles and secondary results of each, and their medians.
 *
 * @param rounds the round (0-based, the order of the files given) of each score.
 */
public record Measured(String benchmark, Map<String, String> params, int threads, String unit, List<Integer> rounds,
                       double[] scores, Map<String, double[]> percentiles, Map<String, double[]> secondary)
{
    /**
     * @return the benchmark's class and method, without the package: {@code ModeBenchmark.append}.
     */
    public String name()
    {
        final String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    public String param(final String name)
    {
        return params.getOrDefault(name, "");
    }

    public double median()
    {
        return median(scores);
    }

    public double min()
    {
        return Arrays.stream(scores).min().orElse(Double.NaN);
    }

    public double max()
    {
        return Arrays.stream(scores).max().orElse(Double.NaN);
    }

    /**
     * @return the score of {@code round}, or NaN when that round has none.
     */
    public double inRound(final int round)
    {
        final int at = rounds.indexOf(round);
        return at < 0 ? Double.NaN : scores[at];
    }

    /**
     * @return the median over rounds of percentile {@code p} ("50.0", "99.0", "99.9"), NaN when not sampled.
     */
    public double percentile(final String p)
    {
        final double[] values = percentiles.get(p);
        return values == null ? Double.NaN : median(values);
    }

    /**
     * @return "[min-max]" of percentile {@code p} over rounds, or "" when not sampled.
     */
    public String percentileSpread(final String p)
    {
        final double[] values = percentiles.get(p);
        if (values == null || values.length < 2)
        {
            return "";
        }
        return String.format(java.util.Locale.ROOT, " [%.0f-%.0f]", Arrays.stream(values).min().orElse(Double.NaN),
            Arrays.stream(values).max().orElse(Double.NaN));
    }

    /**
     * @return the median over rounds of a secondary result ({@code gc.alloc.rate.norm}, an aux counter), or NaN.
     */
    public double secondary(final String name)
    {
        final double[] values = secondary.get(name);
        return values == null ? Double.NaN : median(values);
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0)
        {
            return Double.NaN;
        }
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * @return a stable key: benchmark, threads, parameters in name order.
     */
    static String key(final String benchmark, final int threads, final Map<String, String> params)
    {
        return benchmark + "#" + threads + new TreeMap<>(params);
    }
}
