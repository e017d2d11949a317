package dev.spindle.cli.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep's plots (XChart, PNG): for each sync mode, acknowledgement p99 (log scale) against throughput,
 * one curve per setting, each curve's knee marked, the recommended setting's knee marked apart.
 */
final class SweepPlots
{
    /** A p99 range wider than this (highest / lowest) is drawn on a log scale. */
    private static final double LOG_SCALE_RANGE = 20;

    private SweepPlots()
    {
    }

    /**
     * @return the PNG files written, {@code sweep-<sync_mode>.png}.
     * @throws IOException when a file cannot be written; an {@link Error} from AWT when the JVM has no fonts.
     */
    static List<Path> write(final Path dir, final Map<SweepGrid.Setting, List<SweepPoint>> curves,
        final List<SweepGrid.Setting> recommended, final String subtitle) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final Map<String, List<SweepGrid.Setting>> families = new LinkedHashMap<>();
        for (final SweepGrid.Setting setting : curves.keySet())
        {
            families.computeIfAbsent(setting.family(), f -> new ArrayList<>()).add(setting);
        }
        final List<Path> written = new ArrayList<>();
        for (final Map.Entry<String, List<SweepGrid.Setting>> family : families.entrySet())
        {
            final double lowest = family.getValue().stream().flatMap(s -> curves.get(s).stream())
                .mapToDouble(SweepPoint::p99).min().orElse(1);
            final double highest = family.getValue().stream().flatMap(s -> curves.get(s).stream())
                .mapToDouble(SweepPoint::p99).max().orElse(1);
            final boolean logarithmic = highest / lowest > LOG_SCALE_RANGE;
            final XYChart chart = new XYChartBuilder().width(1100).height(700)
                .title("sync_mode = " + family.getKey() + " (" + subtitle + ")")
                .xAxisTitle("throughput (MB/s of values)")
                .yAxisTitle("acknowledgement p99 (ms" + (logarithmic ? ", log scale)" : ")")).build();
            chart.getStyler().setYAxisLogarithmic(logarithmic);
            if (!logarithmic)
            {
                chart.getStyler().setYAxisMin(0.0);
            }
            chart.getStyler().setXAxisMin(0.0);
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setMarkerSize(7);
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            final List<Double> kneeX = new ArrayList<>();
            final List<Double> kneeY = new ArrayList<>();
            final List<Double> bestX = new ArrayList<>();
            final List<Double> bestY = new ArrayList<>();
            for (final SweepGrid.Setting setting : family.getValue())
            {
                final List<SweepPoint> curve = new ArrayList<>(curves.get(setting));
                if (curve.isEmpty())
                {
                    continue;
                }
                curve.sort(Comparator.comparingDouble(SweepPoint::megabytesPerSecond));
                final double[] x = curve.stream().mapToDouble(SweepPoint::megabytesPerSecond).toArray();
                final double[] y = curve.stream().mapToDouble(p -> p.p99() / 1000.0).toArray();
                final XYSeries series = chart.addSeries(setting.label(), x, y);
                series.setMarker(SeriesMarkers.CIRCLE);
                final SweepPoint knee = Knee.of(curve);
                (recommended.contains(setting) ? bestX : kneeX).add(knee.megabytesPerSecond());
                (recommended.contains(setting) ? bestY : kneeY).add(knee.p99() / 1000.0);
            }
            if (!kneeX.isEmpty())
            {
                final XYSeries knees = chart.addSeries("knee of each curve", kneeX, kneeY);
                knees.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                knees.setMarker(SeriesMarkers.DIAMOND);
                knees.setMarkerColor(Color.DARK_GRAY);
            }
            if (!bestX.isEmpty())
            {
                final XYSeries best = chart.addSeries("recommended (its knee)", bestX, bestY);
                best.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                best.setMarker(SeriesMarkers.SQUARE);
                best.setMarkerColor(Color.RED);
            }
            final Path file = dir.resolve("sweep-" + family.getKey() + ".png");
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(file);
        }
        return written;
    }
}
