package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI contract of DESIGN.md: commands, flags, output formats, exit codes (0 ok, 1 data problem,
 * 2 usage or config), errors on stderr and data on stdout.
 */
class CliTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path config;

    private String out;
    private String err;

    @BeforeEach
    void writeConfig() throws Exception
    {
        config = dir.resolve("spindle.toml");
        Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + dir.resolve("a") + "\", \"" + dir.resolve("b") +
            "\"]\ndisk_segment_size = \"256 KiB\"\n");
    }

    private int run(final String... args)
    {
        final CliRun run = CliRun.of(args);
        out = run.out();
        err = run.err();
        return run.code();
    }

    private List<String> lines()
    {
        return out.lines().toList();
    }

    private void write(final int entries) throws Exception
    {
        assertEquals(0, run("write", "--config", config.toString(), "--collections", "3", "--entries",
            Integer.toString(entries), "--entry-size", "300", "--threads", "2", "--seed", "5", "--quiet"), err);
    }

    @Test
    void shouldPrintTheBenchJsonAfterWriteAndContinueSequencesOnASecondRun() throws Exception
    {
        write(3000);
        final JsonNode summary = JSON.readTree(lines().get(lines().size() - 1));
        for (final String field : List.of("entries", "bytes", "seconds", "entries_per_sec", "mb_per_sec"))
        {
            assertTrue(summary.has(field), field);
        }
        assertEquals(3000, summary.get("entries").asLong());
        assertEquals(900_000, summary.get("bytes").asLong());
        for (final String p : List.of("p50", "p99", "p999", "max"))
        {
            assertTrue(summary.get("latency_us").has(p), p);
        }
        write(3000);
        assertEquals(0, run("replay", "--config", config.toString(), "--format", "count"), err);
        assertEquals(List.of("c0 2000 2000", "c1 2000 2000", "c2 2000 2000"), lines());
    }

    @Test
    void shouldVerifyPayloadsAndFailOnTheWrongSeed() throws Exception
    {
        write(900);
        assertEquals(0, run("replay", "--config", config.toString(), "--format", "count", "--verify-seed", "5"), err);
        assertEquals(1, run("replay", "--config", config.toString(), "--collection", "c1", "--format", "count",
            "--verify-seed", "6"), out);
        assertTrue(err.contains("c1#1: value differs from the payload of seed 6"), err);
    }

    @Test
    void shouldReplayJsonLinesFromASequence() throws Exception
    {
        write(30);
        assertEquals(0, run("replay", "--config", config.toString(), "--collection", "c2", "--from", "4"), err);
        final List<String> lines = lines();
        assertEquals(7, lines.size());
        final JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("c2", first.get("collection").asText());
        assertEquals(4, first.get("sequence").asLong());
        assertEquals("INSERT", first.get("op").asText());
        assertEquals(300, java.util.Base64.getDecoder().decode(first.get("value").asText()).length);
        assertTrue(first.get("vector").isNull());
        assertTrue(first.has("global_sequence") && first.has("timestamp") && first.has("entry_id"));
    }

    @Test
    void shouldReportCorruptionWithFileAndOffsetAndExitOne() throws Exception
    {
        write(3000);
        assertEquals(0, run("verify", "--config", config.toString()), out);
        assertTrue(out.startsWith("clean: ") || out.contains("\nclean: "), out);
        final Path segment;
        try (Stream<Path> files = Files.walk(dir.resolve("a")))
        {
            segment = files.filter(p -> p.toString().endsWith(".avro")).findFirst().orElseThrow();
        }
        final long offset = Files.size(segment) / 2;
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            channel.read(b, offset);
            b.put(0, (byte)(b.get(0) ^ 0x5A)).rewind();
            channel.write(b, offset);
        }
        assertEquals(1, run("verify", "--config", config.toString()), out);
        assertTrue(out.contains("ERROR " + segment + " at byte "), out);
        assertTrue(out.contains("CORRUPT:"), out);
        assertEquals(1, run("verify", segment.toString()), out);
        assertEquals(1, run("replay", "--config", config.toString(), "--format", "count"));
        assertTrue(err.contains(segment.toString()), err);
    }

    @Test
    void shouldDumpASegmentAsJsonLines() throws Exception
    {
        write(300);
        final Path segment;
        try (Stream<Path> files = Files.walk(dir))
        {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".avro")).sorted().findFirst().orElseThrow();
        }
        assertEquals(0, run("dump", segment.toString()), err);
        assertFalse(lines().isEmpty());
        long previous = 0;
        for (final String line : lines())
        {
            final long sequence = JSON.readTree(line).get("sequence").asLong();
            assertEquals(previous == 0 ? sequence : previous + 1, sequence);
            previous = sequence;
        }
        assertEquals(2, run("dump", dir.resolve("missing.avro").toString()));
        assertTrue(err.contains("no such file"), err);
    }

    @Test
    void shouldPrintStatsAsATableAndAsJson() throws Exception
    {
        write(600);
        assertEquals(0, run("stats", "--config", config.toString()), err);
        assertTrue(lines().get(0).startsWith("lane collection"), out);
        assertTrue(out.contains(" c0 ") && out.contains(" c1 ") && out.contains(" c2 "), out);
        assertEquals(0, run("stats", "--config", config.toString(), "--json"), err);
        final JsonNode stats = JSON.readTree(out);
        long total = 0;
        for (final JsonNode lane : stats.get("lanes"))
        {
            for (final JsonNode c : lane.get("collections"))
            {
                total += c.get("last_sequence").asLong();
                assertTrue(c.get("remote_durable_sequence").isNull());
            }
        }
        assertEquals(600, total);
    }

    @Test
    void shouldRunBenchOnAScratchDirectoryAndRemoveIt() throws Exception
    {
        final Path data = dir.resolve("data");
        assertEquals(0, run("bench", "--dir", data.toString(), "--entries", "20000", "--entry-size", "128",
            "--quiet"), err);
        final List<String> lines = lines();
        assertTrue(lines.get(0).startsWith("Spindle bench:"), out);
        final JsonNode summary = JSON.readTree(lines.get(lines.size() - 1));
        assertEquals(20000, summary.get("entries").asLong());
        assertEquals("PerBatch", summary.get("sync_mode").asText());
        try (Stream<Path> left = Files.list(data))
        {
            assertEquals(0, left.count(), "bench removes its files");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void shouldWriteWithTheDefaultsOfBenchForEntrySizeAndThreads() throws Exception
    {
        assertEquals(0, run("write", "--config", config.toString(), "--collections", "2", "--entries", "100", "--quiet"),
            err);
        final JsonNode summary = JSON.readTree(lines().get(lines().size() - 1));
        assertEquals(1024, summary.get("entry_size").asInt());
        assertEquals(2, summary.get("threads").asInt());
        assertEquals(102_400, summary.get("bytes").asLong());
        assertEquals(2, run("write", "--config", config.toString(), "--entries", "100"));
        assertTrue(err.contains("write needs --collections and --entries"), err);
    }

    /**
     * At 10 entries/s one producer appends every 100 ms. A generator that looked at acknowledgements only when it
     * appended the next entry reported about 100 ms for each; measured at the acknowledgement, an entry takes one
     * fsync. The bound is half the interval, far above any fsync this test could see.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void shouldMeasureLatencyAtTheAcknowledgementNotAtTheNextAppend() throws Exception
    {
        assertEquals(0, run("bench", "--dir", dir.resolve("data").toString(), "--rate", "10", "--entries", "20",
            "--warmup", "0", "--threads", "1", "--collections", "1", "--entry-size", "256", "--quiet"), err);
        final JsonNode summary = JSON.readTree(lines().get(lines().size() - 1));
        assertEquals(20, summary.get("entries").asLong());
        assertTrue(summary.get("latency_us").get("p50").asLong() < 50_000, summary.toString());
        assertTrue(summary.get("disk_sync_us").has("p99"), "the disk's own fsync is printed beside it: " + summary);
        assertTrue(out.contains("4 KiB append + fdatasync beside the first lane"), out);
    }

    @Test
    void shouldExitTwoOnUsageAndConfigurationErrors() throws Exception
    {
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("replay"));
        assertTrue(err.contains("--config"), err);
        assertEquals(2, run("verify"));
        assertEquals(2, run("verify", "--config", config.toString(), "x.avro"));
        assertEquals(2, run("write", "--config", config.toString(), "--collections", "0", "--entries", "1",
            "--entry-size", "1", "--threads", "1"));
        assertEquals(2, run("replay", "--config", dir.resolve("nope.toml").toString()));
        assertTrue(err.contains("nope.toml: no such configuration file"), err);
        final Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "[storage.wal_config]\nsync_mode = \"Sometimes\"\n");
        assertEquals(2, run("stats", "--config", bad.toString()));
        assertTrue(err.contains("bad.toml:2:1: storage.wal_config.sync_mode: unknown value \"Sometimes\""), err);
        assertTrue(out.isEmpty(), "errors go to stderr, not stdout: " + out);
    }
}
