package dev.spindle.cli;

import dev.spindle.wal.Codec;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 6 with every codec, through the stock command line: avro-tools {@code getmeta} and {@code tojson}, run
 * as their own JVM on the jar Maven Central serves (copied to {@code target/avro-tools} by this module's build),
 * read each sealed segment Spindle wrote, every entry in order.
 */
class AvroToolsTest
{
    private static final Path AVRO_TOOLS = Path.of("target", "avro-tools", "avro-tools.jar");
    private static final Pattern SEQUENCE = Pattern.compile("\"sequence\":(\\d+)");
    private static final int ENTRIES = 2000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Codec.class)
    void avroToolsReadsEverySealedSegmentOfEveryCodec(final Codec codec) throws Exception
    {
        assertTrue(Files.isRegularFile(AVRO_TOOLS), AVRO_TOOLS.toAbsolutePath() + " is missing: the build of the " +
            "cli module copies it there (mvn generate-test-resources)");
        final Path lane = dir.resolve("lane");
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(lane.toString()).codec(codec)
            .diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE).build()))
        {
            final WalCollection c = wal.collection("docs");
            final Entry e = new Entry();
            long last = 0;
            for (int i = 1; i <= ENTRIES; i++)
            {
                final String json = "{\"order\":" + i + ",\"status\":\"shipped\",\"customer\":\"c-" + (i % 17) +
                    "\",\"items\":[{\"sku\":\"A-" + (i % 5) + "\",\"quantity\":" + (i % 3 + 1) + "}]}";
                last = c.append(e.clear().op(Op.INSERT).value(json.getBytes(StandardCharsets.UTF_8))
                    .vector(new float[]{i, -0.25f}));
                if (i % 40 == 0)
                {
                    c.awaitAcknowledged(last);      // many blocks
                }
            }
            c.awaitAcknowledged(last);
        }
        final List<Path> sealed;
        try (Stream<Path> files = Files.list(lane.resolve("docs")))
        {
            sealed = files.filter(p -> p.getFileName().toString().endsWith(".avro")).sorted().toList();
        }
        assertTrue(!sealed.isEmpty(), "the close sealed the segments: " + sealed);

        final List<Long> sequences = new ArrayList<>();
        for (final Path segment : sealed)
        {
            final String meta = avroTools("getmeta", segment);
            assertTrue(meta.contains("avro.codec\t" + codec.avroName()), segment + ": getmeta says\n" + meta);
            final String json = avroTools("tojson", segment);
            final Matcher m = SEQUENCE.matcher(json);
            while (m.find())
            {
                sequences.add(Long.parseLong(m.group(1)));
            }
            assertTrue(json.contains("shipped"), segment + ": the values read back as written:\n" + json);
        }
        final List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= ENTRIES; s++)
        {
            expected.add(s);
        }
        assertEquals(expected, sequences, "avro-tools tojson gives every entry, in order");
    }

    /** @return what {@code java -jar avro-tools.jar <tool> <file>} printed; it must exit 0 within a minute. */
    private String avroTools(final String tool, final Path file) throws IOException, InterruptedException
    {
        final Path out = dir.resolve(tool + ".out");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", AVRO_TOOLS.toString(), tool, file.toString())
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("avro-tools " + tool + " " + file + " did not finish in 60 s");
        }
        final String printed = Files.readString(out);
        assertEquals(0, process.exitValue(), "avro-tools " + tool + " " + file + ":\n" + printed);
        return printed;
    }
}
