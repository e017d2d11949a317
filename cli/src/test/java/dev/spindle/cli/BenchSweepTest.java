package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spindle bench --sweep}: a small grid run end to end, the files it leaves (CSV, PNG plots, the
 * recommendation), its progress on stderr, and the flags it refuses.
 */
@Timeout(180)
class BenchSweepTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String out;
    private String err;

    private int run(final String... args)
    {
        final CliRun run = CliRun.of(args);
        out = run.out();
        err = run.err();
        return run.code();
    }

    private String[] tinySweep(final Path results, final String... more)
    {
        final List<String> args = new java.util.ArrayList<>(List.of("bench", "--sweep", "--out", results.toString(),
            "--dir", dir.resolve("scratch").toString(), "--seconds", "0.2", "--flush-sizes", "256KiB,1MiB",
            "--ring-sizes", "1024", "--sync-modes", "PerBatch,Periodic", "--flush-intervals", "50", "--loads", "0.5",
            "--entry-size", "256", "--collections", "2", "--threads", "1"));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @Test
    void shouldAcceptTheMatrixDefaultsWhenNoFlagIsGiven()
    {
        final BenchCommand bench = new BenchCommand();
        new picocli.CommandLine(bench).parseArgs("--matrix");
        bench.matrixDefaults();    // refused its own default entry count once
        assertEquals(0, bench.workload.entries, "0: BenchMatrix's own 4,000,000 per point");
    }

    @Test
    void shouldRunTheMatrixOfSizesLanesAndIoModes() throws Exception
    {
        assertEquals(0, run("bench", "--matrix", "--entries", "2000", "--repeat", "1", "--threads", "1",
            "--dir", dir.resolve("matrix").toString()), err);
        assertTrue(out.contains("Spindle bench matrix"), out);
        final String json = out.substring(out.indexOf('{'));
        assertEquals(8, JSON.readTree(json).get("cells").size(), "256 B and 4 KiB x 1 and 3 lanes x pwrite and mmap");
    }

    @Test
    void shouldLeaveACsvPlotsAndARecommendationAndRemoveItsScratchLanes() throws Exception
    {
        final Path results = dir.resolve("results");
        assertEquals(0, run(tinySweep(results)), err);

        final List<String> csv = Files.readAllLines(results.resolve("sweep.csv"));
        assertEquals("sync_mode,memory_flush_size_bytes,flush_interval_ms,ring_buffer_size,load,offered_entries_per_sec," +
            "entries_per_sec,mb_per_sec,p50_us,p99_us,p999_us,max_us,generator_late_p99_us", csv.get(0));
        assertEquals(1 + 4 * 2, csv.size(), "4 settings, each at saturation and at 50%: " + csv);
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("Periodic,262144,50,1024,saturation,0,")), csv.toString());
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("PerBatch,1048576,,1024,0.50,")), csv.toString());

        final List<String> lines = out.lines().toList();
        final JsonNode summary = JSON.readTree(lines.get(lines.size() - 1));
        if (summary.get("plots").size() == 0)
        {
            // a JVM without system fonts cannot draw text: the sweep says so and keeps everything else
            assertTrue(err.contains("the plots could not be drawn") && err.contains("fonts"), err);
        }
        else
        {
            for (final String plot : List.of("sweep-PerBatch.png", "sweep-Periodic.png"))
            {
                final BufferedImage image = ImageIO.read(results.resolve(plot).toFile());
                assertNotNull(image, plot + " is a PNG");
                assertEquals(1100, image.getWidth(), plot);
            }
        }

        final String recommendation = Files.readString(results.resolve("recommendation.txt"));
        assertTrue(recommendation.startsWith("Recommendation for durable acknowledgements"), recommendation);
        assertTrue(recommendation.contains("sync_mode = \"PerBatch\""), recommendation);
        assertTrue(recommendation.contains("Why: the knee"), recommendation);
        assertTrue(recommendation.contains("sync_mode = \"Periodic\"") && recommendation.contains("flush_interval_ms = 50"),
            recommendation);
        assertTrue(out.contains(recommendation), "the recommendation is printed too");
        assertEquals(4, summary.get("settings").asInt());
        assertEquals(8, summary.get("points").asInt());
        assertEquals("PerBatch", summary.get("recommended").get("sync_mode").asText());
        assertTrue(summary.get("recommended").has("entries_per_sec"), summary.toString());
        assertEquals("Periodic", summary.get("recommended_without_durable_ack").get("sync_mode").asText());

        assertTrue(err.contains("sweep") && err.contains("8/8"), "a progress bar with steps on stderr:\n" + err);
        try (Stream<Path> left = Files.list(dir.resolve("scratch")))
        {
            assertEquals(List.of(), left.toList(), "every point's lanes are removed");
        }
    }

    @Test
    void shouldSweepBesideTheConfiguredLanesAndLeaveThemAlone() throws Exception
    {
        final Path lanes = dir.resolve("disk");
        Files.createDirectories(lanes);
        final Path config = dir.resolve("spindle.toml");
        Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + lanes.resolve("wal") + "\"]\n");
        assertEquals(0, run("bench", "--sweep", "--config", config.toString(), "--out", dir.resolve("r").toString(),
            "--seconds", "0.2", "--flush-sizes", "1MiB", "--ring-sizes", "1024", "--sync-modes", "PerBatch",
            "--loads", "0.5", "--entry-size", "256", "--collections", "1", "--threads", "1"), err);
        assertTrue(out.contains("1 lane(s) in " + lanes.toAbsolutePath()), out);
        try (Stream<Path> left = Files.list(lanes))
        {
            assertEquals(List.of(), left.toList(), "the configured lane is never written, the scratch lanes are gone");
        }
        assertFalse(Files.readString(dir.resolve("r").resolve("recommendation.txt")).contains("Periodic"));
    }

    @Test
    void shouldRefuseBadSweepFlagsWithExitTwoNamingTheFlag() throws Exception
    {
        assertEquals(2, run("bench", "--quick"));
        assertTrue(err.contains("--quick goes with --sweep"), err);
        assertEquals(2, run("bench", "--sweep", "--matrix"));
        assertTrue(err.contains("choose one of"), err);
        assertEquals(2, run(tinySweep(dir.resolve("x"), "--ring-sizes", "1000")));
        assertTrue(err.contains("--ring-sizes: 1000 is not a power of two"), err);
        assertEquals(2, run(tinySweep(dir.resolve("x"), "--ring-sizes", "2097152")));
        assertTrue(err.contains("--ring-sizes: 2097152 is not a power of two from 2 to 1048576"), err);
        assertEquals(2, run(tinySweep(dir.resolve("x"), "--sync-modes", "MemoryOnly")));
        assertTrue(err.contains("MemoryOnly writes no files"), err);
        assertEquals(2, run(tinySweep(dir.resolve("x"), "--loads", "1.5")));
        assertTrue(err.contains("--loads: 1.5 is not a fraction"), err);
        assertEquals(2, run(tinySweep(dir.resolve("x"), "--flush-sizes", "lots")));
        assertTrue(err.contains("--flush-sizes: \"lots\" is not a positive size"), err);

        final Path config = dir.resolve("remote.toml");
        Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"s3://bucket/wal\"]\n");
        assertEquals(2, run("bench", "--sweep", "--quick", "--config", config.toString()));
        assertTrue(err.contains("wal_urls[0] = \"s3://bucket/wal\": this benchmark runs on local lanes only"), err);
        assertFalse(Files.exists(dir.resolve("x")), "nothing was run");
    }
}
