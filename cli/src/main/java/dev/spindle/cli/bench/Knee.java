package dev.spindle.cli.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a setting's throughput-latency curve bends, and which setting to recommend.
 *
 * <p>The knee of a curve is its point of greatest <em>power</em>, throughput divided by latency (Kleinrock):
 * below it, more load costs little latency; above it, latency grows faster than throughput. Latency here is
 * the acknowledgement p99. The recommended setting is the one whose knee has the greatest power; settings
 * within {@link #TIE} of it are reported as tied, because on a noisy machine they are not told apart.
 */
public final class Knee
{
    /** Settings whose knee power is at least this share of the best are reported as tied with it. */
    public static final double TIE = 0.9;

    private Knee()
    {
    }

    /** A setting's knee, with its saturation point for comparison. */
    public record Choice(SweepGrid.Setting setting, SweepPoint knee, SweepPoint saturation, List<SweepGrid.Setting> ties)
    {
        public double power()
        {
            return Knee.power(knee);
        }
    }

    /**
     * @return entries/s per µs of p99.
     */
    public static double power(final SweepPoint point)
    {
        return point.entriesPerSecond() / point.p99();
    }

    /**
     * @return the point of greatest power.
     */
    public static SweepPoint of(final List<SweepPoint> curve)
    {
        return curve.stream().max(Comparator.comparingDouble(Knee::power)).orElseThrow();
    }

    /**
     * @return the knees of the settings among {@code which}, most powerful first.
     */
    public static List<SweepPoint> ranked(final Map<SweepGrid.Setting, List<SweepPoint>> curves,
        final Predicate<SweepGrid.Setting> which)
    {
        return curves.entrySet().stream().filter(c -> which.test(c.getKey()) && !c.getValue().isEmpty())
            .map(c -> of(c.getValue())).sorted(Comparator.comparingDouble(Knee::power).reversed()).toList();
    }

    /**
     * @return the setting among {@code which} with the most powerful knee, or empty when none was measured.
     */
    public static Optional<Choice> best(final Map<SweepGrid.Setting, List<SweepPoint>> curves,
        final Predicate<SweepGrid.Setting> which)
    {
        SweepGrid.Setting best = null;
        SweepPoint bestKnee = null;
        for (final Map.Entry<SweepGrid.Setting, List<SweepPoint>> curve : curves.entrySet())
        {
            if (!which.test(curve.getKey()) || curve.getValue().isEmpty())
            {
                continue;
            }
            final SweepPoint knee = of(curve.getValue());
            if (bestKnee == null || power(knee) > power(bestKnee))
            {
                best = curve.getKey();
                bestKnee = knee;
            }
        }
        if (best == null)
        {
            return Optional.empty();
        }
        final List<SweepGrid.Setting> ties = new ArrayList<>();
        for (final Map.Entry<SweepGrid.Setting, List<SweepPoint>> curve : curves.entrySet())
        {
            if (curve.getKey() != best && which.test(curve.getKey()) && !curve.getValue().isEmpty() &&
                power(of(curve.getValue())) >= TIE * power(bestKnee))
            {
                ties.add(curve.getKey());
            }
        }
        final SweepPoint saturation = curves.get(best).stream().filter(SweepPoint::saturation).findFirst()
            .orElse(bestKnee);
        return Optional.of(new Choice(best, bestKnee, saturation, ties));
    }
}
