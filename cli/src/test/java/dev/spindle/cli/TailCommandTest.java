package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.cli.bench.Payloads;
import dev.spindle.testkit.ObjectStoreServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spindle tail} in a process of its own, next to a writer in another: every entry, in order, with the
 * payload {@code spindle write} gave it, across segment rolls and a restart of the writer; from local lanes, and
 * from an S3 bucket alone (S3Mock: the follower has another staging directory, as on another machine).
 */
class TailCommandTest
{
    private static final long SEED = 7;
    private static final int PER_RUN = 3_000;

    @TempDir
    Path dir;

    @Test
    void aTailInAnotherProcessFollowsTheWriterAcrossRollsAndARestart() throws Exception
    {
        final Path config = Files.writeString(dir.resolve("wal.toml"), "[storage.wal_config]\n" +
            "wal_urls = [\"" + dir.resolve("lane0") + "\", \"" + dir.resolve("lane1") + "\"]\n" +
            "collection_affinity = false\n" +
            "disk_segment_size = \"256 KiB\"\n");
        final Path tailDir = Files.createDirectories(dir.resolve("tail"));
        final Child tail = Child.start(tailDir, "tail", "--config", config.toString(), "--collection", "c0",
            "--until", Integer.toString(2 * PER_RUN));
        for (int run = 0; run < 2; run++)
        {
            final Child writer = Child.start(dir, "write", "--config", config.toString(), "--collections", "1",
                "--entries", Integer.toString(PER_RUN), "--entry-size", "300", "--threads", "2",
                "--seed", Long.toString(SEED), "--quiet");
            assertEquals(0, writer.waitFor(120), writer::stderrOrNothing);
        }
        assertEquals(0, tail.waitFor(120), tail::stderrOrNothing);
        assertFollowed(tailDir.resolve("child.out"), 2 * PER_RUN);
    }

    @Test
    void aFollowerWithOnlyTheBucketFollowsARemoteLaneWrittenByAnotherProcess() throws Exception
    {
        final ObjectStoreServer server = ObjectStoreServer.shared("s3");
        final String prefix = "tail-" + System.nanoTime();
        final Path writerConfig = config(server, prefix, "writer");
        final Path followerConfig = config(server, prefix, "follower");
        final Path tailDir = Files.createDirectories(dir.resolve("tail"));
        final Child tail = Child.start(tailDir, server.environment(), "tail", "--config", followerConfig.toString(),
            "--collection", "c0", "--until", Integer.toString(2 * PER_RUN), "--list-every-ms", "200");
        for (int run = 0; run < 2; run++)
        {
            final Child writer = Child.start(dir, server.environment(), "write", "--config", writerConfig.toString(),
                "--collections", "1", "--entries", Integer.toString(PER_RUN), "--entry-size", "300", "--threads", "2",
                "--seed", Long.toString(SEED), "--quiet");
            assertEquals(0, writer.waitFor(120), writer::stderrOrNothing);
        }
        assertEquals(0, tail.waitFor(120), tail::stderrOrNothing);
        assertFollowed(tailDir.resolve("child.out"), 2 * PER_RUN);
        try (var staged = Files.list(dir.resolve("staging-follower")))
        {
            assertEquals(0, staged.filter(p -> !p.getFileName().toString().startsWith(".")).count(),
                "the follower wrote nothing in its staging directory");
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            // nothing there at all: the same
        }
    }

    @Test
    void badArgumentsAreUsageErrors() throws IOException
    {
        final Path config = Files.writeString(dir.resolve("wal.toml"), "[storage.wal_config]\n" +
            "wal_urls = [\"" + dir.resolve("lane0") + "\"]\n");
        for (final String[] args : List.of(
            new String[]{"tail", "--config", config.toString(), "--collection", "c0", "--from", "0"},
            new String[]{"tail", "--config", config.toString(), "--collection", "c0", "--from", "later"},
            new String[]{"tail", "--config", config.toString(), "--collection", "../x"},
            new String[]{"tail", "--config", config.toString(), "--collection", "c0", "--poll-ms", "0"}))
        {
            final StringWriter err = new StringWriter();
            assertEquals(SpindleCli.USAGE, SpindleCli.run(args, new PrintWriter(new StringWriter()),
                new PrintWriter(err)), () -> String.join(" ", args) + ": " + err);
        }
    }

    private Path config(final ObjectStoreServer server, final String prefix, final String machine) throws IOException
    {
        return Files.writeString(dir.resolve(machine + ".toml"), "[storage.wal_config]\n" +
            "wal_urls = [\"" + server.url(prefix) + "\"]\n" +
            "staging_dir = \"" + dir.resolve("staging-" + machine) + "\"\n" +
            "disk_segment_size = \"256 KiB\"\n" +
            "segment_max_age_ms = 200\n" +
            server.tomlSection());
    }

    /** The tail printed exactly sequences 1..{@code last} of c0, in order, each with its payload. */
    private static void assertFollowed(final Path out, final int last) throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final List<String> lines = Files.readAllLines(out);
        assertEquals(last, lines.size(), "one line per entry");
        final Base64.Decoder base64 = Base64.getDecoder();
        for (int i = 0; i < lines.size(); i++)
        {
            final JsonNode r = mapper.readTree(lines.get(i));
            assertEquals("c0", r.get("collection").asText());
            assertEquals(i + 1, r.get("sequence").asLong(), "in order, without a gap");
            assertNull(Payloads.check(SEED, "c0", i + 1, base64.decode(r.get("key").asText()),
                base64.decode(r.get("value").asText())), "the payload of " + (i + 1));
        }
        assertTrue(lines.size() > 0);
    }

}
