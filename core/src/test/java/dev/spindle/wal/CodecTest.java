package dev.spindle.wal;

import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.spindle.wal.SegmentSurgery.assertSameRecords;
import static dev.spindle.wal.SegmentSurgery.copyTree;
import static dev.spindle.wal.SegmentSurgery.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code codec}: segments compressed block by block replay what was appended, through segment rolls, a crash (the
 * lane copied while the WAL is open) and restarts, in both io_modes and in memory; compressible entries take less
 * disk; entries that do not compress never push a segment past {@code disk_segment_size}; a WAL reopened with
 * another codec reads the old segments by what their headers say.
 */
class CodecTest
{
    private static final String[] WORDS = {"order", "status", "shipped", "customer", "amount", "currency", "EUR",
        "items", "sku", "quantity", "warehouse", "berlin", "priority", "express", "note", "gift"};

    @TempDir
    Path dir;

    /** A JSON-like document for sequence {@code i} (a pure function of it): compresses well, as real ones do. */
    static byte[] document(final long i)
    {
        final Random random = new Random(i);
        final StringBuilder json = new StringBuilder("{\"id\":").append(i);
        for (int f = 0; f < 12; f++)
        {
            json.append(",\"").append(WORDS[random.nextInt(WORDS.length)]).append(f).append("\":\"")
                .append(WORDS[random.nextInt(WORDS.length)]).append('-').append(random.nextInt(1000)).append('"');
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Entry entry(final Entry reuse, final long i)
    {
        return reuse.clear().op(Op.INSERT).key(("k" + i).getBytes(StandardCharsets.UTF_8)).value(document(i))
            .vector(new float[]{i, 0.5f, -i}).metadata(Map.of("tenant", "t" + (i % 3))).version(i);
    }

    private static WalOptions.Builder options(final Codec codec, final IoMode ioMode, final Path lane)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, ioMode, lane).codec(codec);
    }

    /** Append {@code count} entries to each collection in batches of up to 50, each batch acknowledged. */
    private static void append(final Wal wal, final List<String> collections, final int count)
    {
        final Entry e = new Entry();
        for (final String name : collections)
        {
            final WalCollection c = wal.collection(name);
            long last = 0;
            for (int i = 0; i < count; i++)
            {
                last = c.append(entry(e, c.lastSequence() + 1));
                if (i % 50 == 49)
                {
                    c.awaitAcknowledged(last);
                }
            }
            c.awaitAcknowledged(last);
        }
    }

    private static void assertReplaysExactly(final Wal wal, final String collection, final long last)
    {
        final List<WalRecord> replayed = drain(wal.replay(collection, 1));
        assertEquals(last, replayed.size(), collection + ": every acknowledged entry replays");
        for (int i = 0; i < replayed.size(); i++)
        {
            final WalRecord r = replayed.get(i);
            assertEquals(i + 1, r.sequence(), collection);
            assertEquals(new String(document(i + 1), StandardCharsets.UTF_8),
                new String(r.value(), StandardCharsets.UTF_8), collection + " #" + (i + 1));
        }
    }

    /** @return sealed and active segment files under {@code lane}, by name. */
    private static Map<String, Path> segments(final Path lane)
    {
        final Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(lane))
        {
            walk.filter(p -> {
                final String name = p.getFileName().toString();
                return SegmentNames.parseSealed(name) != null || SegmentNames.parseOpen(name) > 0;
            }).forEach(p -> files.put(lane.relativize(p).toString(), p));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    private static Codec codecOf(final Path segment)
    {
        try (SegmentReader reader = new SegmentReader(segment))
        {
            return reader.readHeader(null).codec;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long bytesOf(final Map<String, Path> files)
    {
        long total = 0;
        for (final Path p : files.values())
        {
            try
            {
                total += Files.size(p);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return total;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void compressedSegmentsReplayEveryEntryAfterRollsACrashAndARestart(final Codec codec, final IoMode ioMode)
    {
        final Path live = dir.resolve("live");
        final Path image = dir.resolve("image");
        final List<String> collections = List.of("a", "b");
        try (Wal wal = Wal.open(options(codec, ioMode, live).build()))
        {
            append(wal, collections, 600);      // about 200 KiB of entries a collection: segments of 64 KiB roll
            copyTree(live, image);              // the disk a kill -9 would leave now
            append(wal, collections, 100);
        }
        final Map<String, Path> files = segments(live);
        assertTrue(files.size() >= 4, "the entries span several segments: " + files.keySet());
        files.forEach((name, path) -> assertEquals(codec, codecOf(path), name + " names its codec in its header"));
        for (final Path lane : List.of(image, live))
        {
            final long last = lane == image ? 600 : 700;
            try (Wal wal = Wal.open(options(codec, ioMode, lane).build()))
            {
                // a compressed block takes fewer bytes than the entries it was encoded from: where the next block
                // would start, the writer leaves zeros, so an idle lane's crash image ends cleanly (mmap shows it)
                assertTrue(wal.recoveryNotes().stream().noneMatch(n -> n.contains("torn")), wal.recoveryNotes().toString());
                for (final String c : collections)
                {
                    assertReplaysExactly(wal, c, last);
                    assertEquals(last + 1, wal.collection(c).append(entry(new Entry(), last + 1)),
                        "the next append follows the last entry kept");
                }
            }
            assertTrue(WalVerifier.verify(options(codec, ioMode, lane).build()).clean(), lane + " verifies clean");
            try (WalReader reader = WalReader.open(options(codec, ioMode, lane).build()))
            {
                assertEquals(last + 1, drain(reader.replay("a", 1)).size(), "a reader replays " + lane);
            }
        }
    }

    @Test
    void compressibleEntriesTakeLessDiskWithEveryCodec()
    {
        final Map<Codec, Long> bytes = new TreeMap<>();
        for (final Codec codec : Codec.values())
        {
            final Path lane = dir.resolve(codec.avroName());
            try (Wal wal = Wal.open(options(codec, IoMode.pwrite, lane).build()))
            {
                append(wal, List.of("docs"), 2000);
            }
            bytes.put(codec, bytesOf(segments(lane)));
        }
        for (final Codec codec : List.of(Codec.ZSTANDARD, Codec.SNAPPY, Codec.DEFLATE))
        {
            assertTrue(bytes.get(codec) * 10 < bytes.get(Codec.NULL) * 7, codec + " stores JSON-like entries in " +
                "under 70% of the bytes: " + bytes);
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void entriesThatDoNotCompressNeverPushASegmentPastItsSize(final Codec codec, final IoMode ioMode)
    {
        final Path lane = dir.resolve("lane");
        final Random random = new Random(11);
        final List<byte[]> values = new ArrayList<>();
        try (Wal wal = Wal.open(options(codec, ioMode, lane).memoryFlushSizeBytes(64 * 1024).build()))
        {
            final WalCollection c = wal.collection("noise");
            final Entry e = new Entry();
            long last = 0;
            for (int i = 0; i < 60; i++)
            {
                final byte[] value = new byte[1 + random.nextInt(20_000)];   // random: every codec adds to it
                random.nextBytes(value);
                values.add(value);
                last = c.append(e.clear().value(value));
                if (random.nextInt(4) == 0)
                {
                    c.awaitAcknowledged(last);
                }
            }
            c.awaitAcknowledged(last);
        }
        segments(lane).forEach((name, path) -> {
            try
            {
                assertTrue(Files.size(path) <= WalOptions.MIN_SEGMENT_SIZE, name + " is " + Files.size(path) +
                    " bytes, more than disk_segment_size " + WalOptions.MIN_SEGMENT_SIZE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        try (Wal wal = Wal.open(options(codec, ioMode, lane).build()))
        {
            final List<WalRecord> replayed = drain(wal.replay("noise", 1));
            assertEquals(values.size(), replayed.size());
            for (int i = 0; i < values.size(); i++)
            {
                assertTrue(java.util.Arrays.equals(values.get(i), replayed.get(i).value()), "#" + (i + 1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void memoryOnlyCompressesToo(final Codec codec)
    {
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(dir.resolve("m").toString()).syncMode(SyncMode.MemoryOnly)
            .diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE).codec(codec).build()))
        {
            append(wal, List.of("m"), 800);
            assertReplaysExactly(wal, "m", 800);
        }
    }

    @Test
    void aRemoteLaneUploadsTheCompressedSegmentsAndAnOpenWithoutStagingReplaysThemFromTheBucket() throws Exception
    {
        dev.spindle.wal.remote.MemoryObjectStore.serve("codecs");
        final WalOptions options = WalOptions.builder().walUrls("mem://codecs/wal").codec(Codec.ZSTANDARD)
            .stagingDir(dir.resolve("staging")).diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE)
            .segmentMaxAgeMs(100).build();
        try (Wal wal = Wal.open(options))
        {
            append(wal, List.of("docs"), 3000);
            final WalCollection c = wal.collection("docs");
            assertTrue(c.awaitRemoteDurable(c.lastSequence(), 30, java.util.concurrent.TimeUnit.SECONDS),
                "every segment sealed by age and uploaded");
            final WalMetrics.Lane lane = wal.metrics().lanes().get(0);
            assertTrue(lane.uploadedBytes() * 3 < lane.bytes(), "what is uploaded is compressed: " +
                lane.uploadedBytes() + " bytes uploaded for " + lane.bytes() + " bytes of encoded entries");
        }
        SegmentSurgery.deleteTree(dir.resolve("staging"));
        try (Wal wal = Wal.open(options))
        {
            assertReplaysExactly(wal, "docs", 3000);
        }
    }

    @Test
    void aWalReopenedWithAnotherCodecReadsTheOldSegmentsByTheirHeaders()
    {
        final Path lane = dir.resolve("lane");
        long last = 0;
        for (final Codec codec : List.of(Codec.ZSTANDARD, Codec.SNAPPY, Codec.NULL, Codec.DEFLATE))
        {
            try (Wal wal = Wal.open(options(codec, IoMode.pwrite, lane).build()))
            {
                assertReplaysExactly(wal, "c", last);
                append(wal, List.of("c"), 150);
                last += 150;
            }
        }
        final List<Codec> seen = new ArrayList<>();
        segments(lane).values().forEach(p -> {
            final Codec codec = codecOf(p);
            if (!seen.contains(codec))
            {
                seen.add(codec);
            }
        });
        assertEquals(List.of(Codec.ZSTANDARD, Codec.SNAPPY, Codec.NULL, Codec.DEFLATE), seen,
            "each segment keeps the codec it was written with");
        assertTrue(WalVerifier.verify(options(Codec.NULL, IoMode.pwrite, lane).build()).clean());
    }

    @Test
    void aCodecLevelOutsideTheCodecsRangeIsRefusedNamingTheKey()
    {
        final InvalidOptionException snappy = assertThrows(InvalidOptionException.class,
            () -> WalOptions.builder().codec(Codec.SNAPPY).codecLevel(3).build());
        assertEquals(WalConfigKey.CODEC_LEVEL, snappy.key());
        assertTrue(snappy.getMessage().contains("takes no level"), snappy.getMessage());
        final InvalidOptionException zstd = assertThrows(InvalidOptionException.class,
            () -> WalOptions.builder().codec(Codec.ZSTANDARD).codecLevel(23).build());
        assertTrue(zstd.getMessage().contains("1 to 22"), zstd.getMessage());
        assertThrows(InvalidOptionException.class, () -> WalOptions.builder().codec(Codec.DEFLATE).codecLevel(10).build());
        assertEquals(19, WalOptions.builder().codec(Codec.ZSTANDARD).codecLevel(19).build().codecLevel());
        assertEquals(Codec.ZSTANDARD, Codec.ofAvroName("zstandard"));
        assertEquals("null", Codec.NULL.toString(), "TOML and avro.codec write the Avro name");
        assertNull(Codec.ofAvroName("NULL"), "Avro names are lower case");
    }

    @Test
    void everyLevelOfZstandardAndDeflateRoundTrips()
    {
        for (final int level : new int[]{1, 9, 19})
        {
            final Path lane = dir.resolve("z" + level);
            try (Wal wal = Wal.open(options(Codec.ZSTANDARD, IoMode.pwrite, lane).codecLevel(level).build()))
            {
                append(wal, List.of("c"), 100);
                assertReplaysExactly(wal, "c", 100);
            }
        }
        final Path lane = dir.resolve("deflate1");
        try (Wal wal = Wal.open(options(Codec.DEFLATE, IoMode.mmap, lane).codecLevel(1).build()))
        {
            append(wal, List.of("c"), 100);
            assertReplaysExactly(wal, "c", 100);
        }
    }
}
