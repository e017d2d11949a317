package dev.spindle.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's arithmetic: medians over rounds, and ratios taken round by round, Spindle in the io_mode with the
 * higher median (the same mode in every round).
 */
class ReportTest
{
    @TempDir
    Path dir;

    private static String result(final String benchmark, final String params, final double score)
    {
        return String.format(Locale.ROOT, "{\"benchmark\":\"dev.spindle.bench.durable.%s\",\"mode\":\"thrpt\"," +
            "\"threads\":1,\"params\":{%s},\"primaryMetric\":{\"score\":%f,\"scoreUnit\":\"ops/s\"," +
            "\"scorePercentiles\":{\"50.0\":%f}},\"secondaryMetrics\":{}}", benchmark, params, score, score);
    }

    /**
     * Round r: Spindle pwrite, Spindle mmap, FileChannel, ceiling (1 MiB commits/s), at 4 KiB values.
     */
    private Path round(final int r, final double pwrite, final double mmap, final double fileChannel,
        final double ceiling) throws IOException
    {
        final Path file = dir.resolve("round-" + r + ".json");
        Files.writeString(file, "[" + String.join(",", List.of(
            result("SpindleDurable.append", "\"ioMode\":\"pwrite\",\"valueSize\":\"4096\"", pwrite),
            result("SpindleDurable.append", "\"ioMode\":\"mmap\",\"valueSize\":\"4096\"", mmap),
            result("PeerFileChannel.append", "\"valueSize\":\"4096\"", fileChannel),
            result("DiskCeiling.commit", "\"blocks\":\"written\"", ceiling))) + "]");
        return file;
    }

    @Test
    void shouldDivideSpindleByEachPeerRoundByRoundInTheModeWithTheHigherMedian() throws IOException
    {
        // pwrite's median (150) beats mmap's (120) although mmap won round 2; per-round ratios to FileChannel with
        // pwrite: 150/100 = 1.5, 150/100 = 1.5, 90/90 = 1.0
        final String report = Report.render(JmhResults.read(List.of(
            round(1, 150, 120, 100, 1),
            round(2, 150, 200, 100, 1),
            round(3, 90, 60, 90, 1))));
        assertTrue(report.contains("Medians of 3 round(s)"), report);
        assertTrue(report.contains("| plain `FileChannel`, `force(false)` | **1.50x** [1.00-1.50] |"), report);
        assertTrue(report.contains("(4 KiB: pwrite)"), report);
        // ceiling: 1 commit/s of 1 MiB = 256 entries/s of 4 KiB: 150/256, 150/256, 90/256
        assertTrue(report.contains("| the disk's ceiling: 1 MiB commits into written blocks (MB/s / MB/s) | " +
            "**0.59x** [0.35-0.59] |"), report);
        assertTrue(report.contains("| Spindle, io_mode = pwrite, never checkpointed (new files) | 150/s, 1 MB/s [90-150] |"), report);
        assertTrue(report.contains("1 MiB write + fdatasync into already-written blocks: 1 MB/s [1-1]"), report);
    }

    @Test
    void shouldNameTheFileThatIsNotJmhJson() throws IOException
    {
        final Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"not\": \"an array\"}");
        final IOException ex = assertThrows(IOException.class, () -> JmhResults.read(List.of(bad)));
        assertTrue(ex.getMessage().startsWith(bad + ": expected the JSON array JMH writes"), ex.getMessage());
    }

    @Test
    void shouldTakeTheMedianOfAnEvenNumberOfRoundsAsTheMeanOfTheMiddleTwo()
    {
        assertEquals(2.5, Measured.median(new double[]{4, 1, 2, 3}));
        assertEquals(3, Measured.median(new double[]{5, 1, 3}));
    }
}
