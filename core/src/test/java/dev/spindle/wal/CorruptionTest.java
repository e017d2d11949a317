package dev.spindle.wal;

import dev.spindle.wal.SegmentSurgery.Block;
import dev.spindle.wal.SegmentSurgery.Segment;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.spindle.wal.SegmentSurgery.COLLECTION;
import static dev.spindle.wal.SegmentSurgery.assertSameRecord;
import static dev.spindle.wal.SegmentSurgery.assertSameRecords;
import static dev.spindle.wal.SegmentSurgery.entry;
import static dev.spindle.wal.SegmentSurgery.flip;
import static dev.spindle.wal.SegmentSurgery.names;
import static dev.spindle.wal.SegmentSurgery.overwrite;
import static dev.spindle.wal.SegmentSurgery.parse;
import static dev.spindle.wal.SegmentSurgery.read;
import static dev.spindle.wal.SegmentSurgery.replayAll;
import static dev.spindle.wal.SegmentSurgery.sameFile;
import static dev.spindle.wal.SegmentSurgery.snapshot;
import static dev.spindle.wal.SegmentSurgery.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariant 3, the corruption half, and invariant 5 for segment files: damage that is not a torn
 * tail is reported with the file and byte offset (never skipped silently, unless recovery is lenient),
 * and no bytes on disk, however wrong, make Spindle allocate without bound, crash or return an entry
 * that was not written.
 */
class CorruptionTest
{
    @TempDir
    Path dir;

    /** Ways to damage one block. */
    enum Damage
    {
        /** One byte in the middle of the block's first entry. */
        ENTRY_BYTE,
        /** The block's entry count. */
        BLOCK_COUNT,
        /** The block's byte size, a little off. */
        BLOCK_SIZE,
        /** One byte of the sync marker that ends the block. */
        SYNC_MARKER,
        /** The block's size field claims 2^40 bytes. */
        HUGE_BLOCK_SIZE,
        /** The first entry's value length claims 2 GiB. */
        HUGE_VALUE_LENGTH
    }

    static byte[] damage(final Segment segment, final Block block, final Damage damage)
    {
        final byte[] bytes = segment.bytes();
        final boolean compressed = segment.codec() != Codec.NULL;
        switch (damage)
        {
            case ENTRY_BYTE:
                // compressed: a byte in the middle of the compressed entries
                return flip(bytes, compressed ? (block.bodyOffset() + block.end() - SegmentFormat.SYNC_SIZE) / 2 :
                    block.entryOffset(0) + block.entryLengths()[0] / 2, 0x20);
            case BLOCK_COUNT:
                return flip(bytes, block.offset(), 0x01);                   // zigzag: the count turns negative
            case BLOCK_SIZE:
                return flip(bytes, block.offset() + 1, 0x04);               // the count is one byte; size +-2
            case SYNC_MARKER:
                return flip(bytes, block.end() - SegmentFormat.SYNC_SIZE / 2, 0xff);
            case HUGE_BLOCK_SIZE:
            {
                final byte[] header = new byte[SegmentFormat.MAX_BLOCK_HEADER];
                final int length = SegmentFormat.encodeBlockHeader(block.entries().size(), 1L << 40, header);
                return overwrite(bytes, block.offset(), Arrays.copyOf(header, length));
            }
            case HUGE_VALUE_LENGTH:
            default:
            {
                final byte[] varint = new byte[10];
                final int length = BinaryData.encodeLong(1L << 31, varint, 0);
                if (!compressed)
                {
                    return overwrite(bytes, valueLengthOffset(bytes, block.entryOffset(0)), Arrays.copyOf(varint, length));
                }
                // compressed: the claim is inside the entries, so the block is compressed again around it
                final byte[] entries = overwrite(block.entryBytes(), valueLengthOffset(block.entryBytes(), 0),
                    Arrays.copyOf(varint, length));
                return replaceBlock(segment, block, SegmentSurgery.blockBody(segment.codec(), entries));
            }
        }
    }

    /** @return the segment's bytes with {@code block} holding {@code body} (its entry count kept). */
    static byte[] replaceBlock(final Segment segment, final Block block, final byte[] body)
    {
        final byte[] bytes = segment.bytes();
        final byte[] header = new byte[SegmentFormat.MAX_BLOCK_HEADER];
        final int headerLength = SegmentFormat.encodeBlockHeader(block.entries().size(), body.length, header);
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(bytes, 0, (int)block.offset());
        out.write(header, 0, headerLength);
        out.writeBytes(body);
        out.write(segment.sync(), 0, SegmentFormat.SYNC_SIZE);
        out.write(bytes, (int)block.end(), bytes.length - (int)block.end());
        return out.toByteArray();
    }

    /**
     * @return the offset in {@code bytes} of the length of the {@code value} bytes of the entry at {@code entryStart}.
     */
    static long valueLengthOffset(final byte[] bytes, final long entryStart)
    {
        final int length = bytes.length - (int)entryStart;
        final BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, (int)entryStart, length, null);
        try
        {
            d.skipString();                 // entry_id
            d.skipString();                 // collection_id
            d.readLong();                   // sequence
            d.readLong();                   // global_sequence
            d.readLong();                   // timestamp
            d.readEnum();                   // op
            if (d.readIndex() == 1)         // key
            {
                d.skipBytes();
            }
            assertEquals(1, d.readIndex(), "the test entries all have a value");
            return entryStart + length - d.inputStream().available();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static Stream<Arguments> everyDamageInBothIoModesWithEveryCodec()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final Codec codec : Codec.values())
        {
            for (final IoMode ioMode : IoMode.values())
            {
                for (final Damage damage : Damage.values())
                {
                    cases.add(Arguments.of(codec, ioMode, damage));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> everyDamageWithEveryCodec()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final Codec codec : Codec.values())
        {
            for (final Damage damage : Damage.values())
            {
                cases.add(Arguments.of(codec, damage));
            }
        }
        return cases.stream();
    }

    private static WalOptions options(final Path lane, final RecoveryMode mode)
    {
        return SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, lane).recoveryMode(mode).build();
    }

    private static boolean within(final long offset, final Block block)
    {
        return offset >= block.offset() && offset < block.end();
    }

    private static void assertErrorFinding(final WalVerifier.Report report, final Path file, final Block block)
    {
        assertFalse(report.clean(), "verify must report the damage: " + report.findings());
        assertTrue(report.findings().stream().anyMatch(f -> f.severity() == WalVerifier.Severity.ERROR &&
                f.file() != null && sameFile(f.file(), file) && (block == null || within(f.offset(), block))),
            "an ERROR naming " + file + (block == null ? "" : " at a byte of the block " + block.offset() + ".." +
                block.end()) + ": " + report.findings());
    }

    private static void assertNamesFile(final CorruptSegmentException ex, final Path file)
    {
        assertNotNull(ex.file(), ex.getMessage());
        assertTrue(sameFile(ex.file(), file), "the error names " + ex.file() + ", not " + file);
        assertTrue(ex.getMessage().contains(file.getFileName().toString()), ex.getMessage());
    }

    /** What replaying gave before it stopped: the records, and the exception that stopped it (or null). */
    private record Outcome(List<WalRecord> records, RuntimeException failure)
    {
    }

    private static Outcome replayOutcome(final Supplier<WalReplay> replays)
    {
        final List<WalRecord> records = new ArrayList<>();
        try (WalReplay replay = replays.get())
        {
            while (replay.hasNext())
            {
                records.add(replay.next());
            }
            return new Outcome(records, null);
        }
        catch (final RuntimeException ex)
        {
            return new Outcome(records, ex);
        }
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("everyDamageInBothIoModesWithEveryCodec")
    void damageInABlockOfAnActiveSegmentThatAWholeValidBlockFollowsIsCorruptionNotATornTail(
        final Codec codec, final IoMode ioMode, final Damage damage)
    {
        final Segment segment = parse(SegmentSurgery.crashImage(dir.resolve("live"), dir.resolve("image"), ioMode,
            codec, 3, 2, 3));
        assertTrue(segment.blocks().size() >= 3, "three acknowledged batches: " + segment.blocks());
        // The hardest case: exactly one whole valid block follows the damaged one. With PerBatch a block is
        // only written after the one before it was forced, so a whole valid block after the damage proves the
        // damaged block was durable once: corruption, whatever was hit (SYNC_MARKER included).
        final Block damaged = segment.blocks().get(segment.blocks().size() - 2);
        final Path lane = dir.resolve("lane");
        final Path collectionDir = lane.resolve(COLLECTION);
        final Path file = write(collectionDir.resolve(segment.name()), damage(segment, damaged, damage));
        final Map<String, String> before = snapshot(collectionDir);

        final CorruptSegmentException strict = assertThrows(CorruptSegmentException.class,
            () -> Wal.open(options(lane, RecoveryMode.strict)).close());
        assertNamesFile(strict, file);
        assertTrue(within(strict.offset(), damaged), "offset " + strict.offset() + " lies in the damaged block " +
            damaged.offset() + ".." + damaged.end());
        assertTrue(strict.getMessage().contains("corruption before the tail"), strict.getMessage());
        assertEquals(before, snapshot(collectionDir), "a refused open leaves the files as they were");

        assertThrows(CorruptSegmentException.class, () -> WalReader.open(options(lane, RecoveryMode.strict)).close());
        assertErrorFinding(WalVerifier.verify(options(lane, RecoveryMode.strict)), file, damaged);
        assertEquals(before, snapshot(collectionDir), "reading and verifying change nothing");

        final List<WalRecord> kept = segment.entriesOfBlocksEndingBy(damaged.offset());
        final long lastKept = kept.get(kept.size() - 1).sequence();
        try (Wal wal = Wal.open(options(lane, RecoveryMode.lenient)))
        {
            assertSameRecords(kept, replayAll(wal), "lenient recovery keeps the blocks before the damage");
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains(segment.name()) &&
                n.contains("corruption")), "lenient recovery says what it cut: " + wal.recoveryNotes());
            assertEquals(List.of(SegmentNames.sealed(1, lastKept)), names(collectionDir));
            assertEquals(lastKept + 1, wal.collection(COLLECTION).append(entry(new Entry(), lastKept + 1)));
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("everyDamageWithEveryCodec")
    void damageInASealedSegmentLetsTheWalOpenButReplayAndVerifyReportFileAndOffset(final Codec codec,
        final Damage damage)
    {
        final Path lane = dir.resolve("lane");
        final Path file = SegmentSurgery.sealedSegment(lane, IoMode.pwrite, codec, 3, 2, 3);
        final Segment segment = parse(file);
        assertEquals(SegmentNames.sealed(1, 8), segment.name());
        assertTrue(segment.blocks().size() >= 3, "three acknowledged batches: " + segment.blocks());
        final Block damaged = segment.blocks().get(1);
        write(file, damage(segment, damaged, damage));
        final List<WalRecord> before = segment.entriesOfBlocksEndingBy(damaged.offset());

        try (Wal wal = Wal.open(options(lane, RecoveryMode.strict)))
        {
            final Outcome outcome = replayOutcome(() -> wal.replay(COLLECTION, 1));
            assertCorruptAt(outcome, file, damaged, before);
        }
        try (WalReader reader = WalReader.open(options(lane, RecoveryMode.strict)))
        {
            assertCorruptAt(replayOutcome(() -> reader.replay(COLLECTION, 1)), file, damaged, before);
        }
        assertErrorFinding(WalVerifier.verify(options(lane, RecoveryMode.strict)), file, damaged);
        assertErrorFinding(WalVerifier.verifySegments(List.of(file)), file, damaged);
    }

    private static void assertCorruptAt(final Outcome outcome, final Path file, final Block block,
        final List<WalRecord> before)
    {
        if (!(outcome.failure() instanceof CorruptSegmentException))
        {
            fail("replay of a damaged sealed segment must throw CorruptSegmentException, got " +
                (outcome.failure() == null ? outcome.records().size() + " records" : outcome.failure()),
                outcome.failure());
        }
        final CorruptSegmentException ex = (CorruptSegmentException)outcome.failure();
        assertNamesFile(ex, file);
        assertTrue(within(ex.offset(), block), "offset " + ex.offset() + " lies in the damaged block " +
            block.offset() + ".." + block.end());
        assertTrue(outcome.records().size() <= before.size(), "nothing of or after the damaged block is returned");
        assertSameRecords(before.subList(0, outcome.records().size()), outcome.records(), "records before the damage");
    }

    @ParameterizedTest
    @ValueSource(strings = {"magic", "truncated to 10 bytes", "schema", "truncated to half the header"})
    void aSealedSegmentWithADamagedHeaderStopsAStrictOpenAndIsSkippedByALenientOne(final String damage)
    {
        final Path lane = dir.resolve("lane");
        final Path file = SegmentSurgery.sealedSegment(lane, IoMode.pwrite, 3, 2, 3);
        final Segment segment = parse(file);
        final byte[] bytes = segment.bytes();
        final byte[] damaged = switch (damage)
        {
            case "magic" -> flip(bytes, 1, 0x01);
            case "truncated to 10 bytes" -> Arrays.copyOf(bytes, 10);
            case "schema" -> flip(bytes, indexOf(bytes, "\"WalEntry\""), 0x01);
            default -> Arrays.copyOf(bytes, segment.headerLength() / 2);
        };
        write(file, damaged);

        final CorruptSegmentException ex = assertThrows(CorruptSegmentException.class,
            () -> Wal.open(options(lane, RecoveryMode.strict)).close());
        assertNamesFile(ex, file);
        assertErrorFinding(WalVerifier.verify(options(lane, RecoveryMode.strict)), file, null);

        try (Wal wal = Wal.open(options(lane, RecoveryMode.lenient)))
        {
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains("setting aside") &&
                n.contains(file.getFileName().toString())), "lenient recovery says what it set aside: " +
                wal.recoveryNotes());
        }
        // set aside, not deleted: renamed *.corrupt (so no later segment can take its name), bytes kept
        assertArrayEquals(damaged, read(file.resolveSibling(file.getFileName() + ".corrupt")),
            "a set-aside segment keeps its bytes under *.corrupt");
        assertFalse(java.nio.file.Files.exists(file));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.spindle.wal.SegmentSurgery#everyCodecInBothIoModes")
    void anActiveSegmentWithADamagedHeaderBeforeWholeBlocksStopsAStrictOpenAndALenientOneGoesOn(final Codec codec,
        final IoMode ioMode)
    {
        // not a torn header: the header is whole (one byte of its magic flipped) and acknowledged blocks follow
        final Segment segment = parse(SegmentSurgery.crashImage(dir.resolve("live"), dir.resolve("image"), ioMode,
            codec, 3, 2, 3));
        final Path lane = dir.resolve("lane");
        final Path collectionDir = lane.resolve(COLLECTION);
        final Path file = write(collectionDir.resolve(segment.name()), flip(segment.bytes(), 1, 0x01));
        final Map<String, String> before = snapshot(collectionDir);

        final CorruptSegmentException ex = assertThrows(CorruptSegmentException.class,
            () -> Wal.open(options(lane, RecoveryMode.strict)).close());
        assertNamesFile(ex, file);
        assertEquals(before, snapshot(collectionDir), "a refused open leaves the files as they were");
        assertErrorFinding(WalVerifier.verify(options(lane, RecoveryMode.strict)), file, null);

        try (Wal wal = Wal.open(options(lane, RecoveryMode.lenient)))
        {
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains(segment.name())),
                "lenient recovery says what it set aside: " + wal.recoveryNotes());
            assertEquals(List.of(), replayAll(wal));
            // "go on": the collection takes appends again
            final WalCollection c = wal.collection(COLLECTION);
            final long sequence = c.append(entry(new Entry(), 1));
            assertTrue(c.awaitAcknowledged(sequence, 10, java.util.concurrent.TimeUnit.SECONDS),
                "an append after a lenient recovery is acknowledged");
            assertEquals(List.of(sequence), SegmentSurgery.sequences(replayAll(wal)));
        }
    }

    private static int indexOf(final byte[] bytes, final String text)
    {
        final byte[] needle = SegmentFormat.utf8(text);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (bytes[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i + 1;
        }
        throw new AssertionError(text + " not found");
    }

    @Test
    void randomBytesNamedLikeASealedSegmentAreReportedNamingTheFile()
    {
        final Path lane = dir.resolve("lane");
        final byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        final Path file = write(lane.resolve(COLLECTION).resolve(SegmentNames.sealed(1, 9)), garbage);

        final CorruptSegmentException ex = assertThrows(CorruptSegmentException.class,
            () -> Wal.open(options(lane, RecoveryMode.strict)).close());
        assertNamesFile(ex, file);
        assertErrorFinding(WalVerifier.verifySegments(List.of(file)), file, null);
        assertErrorFinding(WalVerifier.verify(options(lane, RecoveryMode.strict)), file, null);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void flippedBytesInASealedSegmentNeverThrowAnythingButCorruptSegmentExceptionNorReturnAWrongEntry(final Codec codec)
    {
        final Path source = SegmentSurgery.sealedSegment(dir.resolve("source"), IoMode.pwrite, codec, 3, 2, 3);
        final Segment original = parse(source);
        final List<WalRecord> written = original.entries();
        final Path lane = dir.resolve("lane");
        final Path file = lane.resolve(COLLECTION).resolve(original.name());
        int detected = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            final Random random = new Random(seed);
            final int flips = 1 + random.nextInt(3);
            final TreeSet<Integer> offsets = new TreeSet<>();
            while (offsets.size() < flips)
            {
                offsets.add(original.headerLength() + random.nextInt(original.bytes().length - original.headerLength()));
            }
            byte[] bytes = original.bytes();
            for (final int at : offsets)
            {
                bytes = flip(bytes, at, 1 + random.nextInt(255));
            }
            write(file, bytes);
            final String context = "seed " + seed + ", bytes flipped at " + offsets;

            final WalVerifier.Report report;
            try
            {
                report = WalVerifier.verifySegments(List.of(file));
            }
            catch (final Throwable t)
            {
                throw new AssertionError(context + ": verify threw instead of reporting", t);
            }
            final Outcome reader;
            try (WalReader r = WalReader.open(options(lane, RecoveryMode.strict)))
            {
                reader = replayOutcome(() -> r.replay(COLLECTION, 1));
            }
            final Outcome wal;
            try (Wal w = Wal.open(options(lane, RecoveryMode.strict)))
            {
                wal = replayOutcome(() -> w.replay(COLLECTION, 1));
            }
            for (final Outcome outcome : List.of(reader, wal))
            {
                if (outcome.failure() != null && !(outcome.failure() instanceof CorruptSegmentException))
                {
                    throw new AssertionError(context + ": replay threw " + outcome.failure(), outcome.failure());
                }
                assertTrue(outcome.records().size() <= written.size(), context);
                for (int i = 0; i < outcome.records().size(); i++)
                {
                    assertSameRecord(written.get(i), outcome.records().get(i));
                }
                if (outcome.failure() == null)
                {
                    assertEquals(written.size(), outcome.records().size(), context + ": a replay that ends " +
                        "without an error returns every entry");
                }
                else
                {
                    assertNamesFile((CorruptSegmentException)outcome.failure(), file);
                }
                assertEquals(report.clean(), outcome.failure() == null, context + ": verify and replay agree " +
                    "(findings " + report.findings() + ", replay " + outcome.failure() + ")");
            }
            if (!report.clean())
            {
                detected++;
            }
        }
        if (codec == Codec.NULL)
        {
            // CRC32C, sync markers and sizes leave no room for an undetected flip in this segment
            assertEquals(200, detected, "every damaged copy is reported");
        }
        else
        {
            // a compressed block has bits its decoder does not read (a zstd frame header's unused bit, deflate's
            // padding after its last block): a flip there changes no entry, and the loop above checked that such a
            // copy replays every entry exactly; every other flip is reported (1 of 200 was, once, with zstandard)
            assertTrue(detected >= 180, detected + " of 200 damaged copies reported");
        }
    }
}
