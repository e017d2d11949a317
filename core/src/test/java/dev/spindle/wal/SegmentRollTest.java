package dev.spindle.wal;

import dev.spindle.wal.internal.segment.SegmentNames;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.spindle.wal.WalTestSupport.bytes;
import static dev.spindle.wal.WalTestSupport.eventually;
import static dev.spindle.wal.WalTestSupport.open;
import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sealed;
import static dev.spindle.wal.WalTestSupport.segmentSequences;
import static dev.spindle.wal.WalTestSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segments roll at {@code disk_segment_size} and at {@code segment_max_age_ms}; sealed segments are
 * named {@code {first:020d}-{last:020d}.avro}, contiguous, and never larger than the limit.
 */
class SegmentRollTest
{
    private static final Pattern SEALED_NAME = Pattern.compile("(\\d{20})-(\\d{20})\\.avro");
    private static final long SEGMENT = WalOptions.MIN_SEGMENT_SIZE;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldSealContiguousSegmentsNoLargerThanTheLimitWhenEntriesFillThem(final IoMode ioMode) throws IOException
    {
        final Path lane = dir.resolve("lane");
        final Path collectionDir = lane.resolve("rolling");
        final WalOptions options = WalOptions.builder()
            .walUrls(lane.toString())
            .ioMode(ioMode)
            .diskSegmentSizeBytes(SEGMENT)
            .build();
        final int n = 500;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("rolling");
            final Entry entry = new Entry();
            long last = 0;
            for (int i = 1; i <= n; i++)
            {
                last = c.append(entry.clear().key(("k" + i).getBytes()).value(bytes(1000, i)));
            }
            c.awaitAcknowledged(last);
            assertEquals(1, open(collectionDir).size(),
                "exactly one active segment while open: " + open(collectionDir));
            assertFalse(sealed(collectionDir).isEmpty(), "500 KiB of entries filled some 64 KiB segments");
            for (final Path p : sealed(collectionDir))
            {
                assertTrue(Files.size(p) <= SEGMENT, p + " is " + Files.size(p) + " bytes");
            }
        }

        final List<Path> files = sealed(collectionDir);
        final List<String> names = new ArrayList<>();
        try (var s = Files.list(collectionDir))
        {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertTrue(names.stream().noneMatch(name -> name.endsWith(SegmentNames.OPEN_SUFFIX)),
            "no active segment after close: " + names);
        assertTrue(files.size() >= 8, "500 entries of ~1 KiB need at least 8 segments of 64 KiB: " + files.size());
        long expectedFirst = 1;
        for (final Path file : files)
        {
            final Matcher m = SEALED_NAME.matcher(file.getFileName().toString());
            assertTrue(m.matches(), file.getFileName() + " is {first:020d}-{last:020d}.avro");
            final long first = Long.parseLong(m.group(1));
            final long last = Long.parseLong(m.group(2));
            assertEquals(expectedFirst, first, "segments are contiguous: " + file.getFileName());
            assertTrue(last >= first);
            assertTrue(Files.size(file) <= SEGMENT, file + " is " + Files.size(file) + " bytes, over " + SEGMENT);
            assertEquals(range(first, last), segmentSequences(file), file + " holds exactly its named range");
            expectedFirst = last + 1;
        }
        assertEquals(n + 1, expectedFirst, "the last segment ends at the last entry");
        // Every segment but the last was sealed because the next entry did not fit: it is nearly full.
        for (int i = 0; i < files.size() - 1; i++)
        {
            assertTrue(Files.size(files.get(i)) > SEGMENT - 2 * 1100,
                files.get(i) + " was sealed with room for another entry: " + Files.size(files.get(i)));
        }

        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("rolling");
            final List<WalRecord> records = replayAll(c, 1);
            assertEquals(range(1, n), sequences(records));
            for (int i = 1; i <= n; i++)
            {
                assertArrayEquals(bytes(1000, i), records.get(i - 1).value());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldSealAnOldSegmentWhileTheWalIsOpenWhenSegmentMaxAgePasses(final IoMode ioMode)
    {
        final Path lane = dir.resolve("lane");
        final Path collectionDir = lane.resolve("aging");
        final WalOptions options = WalOptions.builder()
            .walUrls(lane.toString())
            .ioMode(ioMode)
            .diskSegmentSizeBytes(64 * WalOptions.MIB)
            .segmentMaxAgeMs(200)
            .build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("aging");
            long last = 0;
            for (int i = 0; i < 5; i++)
            {
                last = c.append(new Entry().value(bytes(100, i)));
            }
            c.awaitAcknowledged(last);
            // poll: an upper bound against hanging, not a speed requirement. (A stalled test thread may let
            // the segment age out between two appends, so only "sealed, covering 1..5" is asserted.)
            eventually(5000, () -> "sealed segments cover 1..5 while the WAL is open: " + sealed(collectionDir) +
                ", open: " + open(collectionDir), () -> sealedSequences(collectionDir).equals(range(1, 5)));
            assertTrue(open(collectionDir).isEmpty(), "the aged segment was renamed, not copied");
            assertEquals(SegmentNames.sealed(1, 5).substring(0, 20), sealed(collectionDir).get(0).getFileName()
                .toString().substring(0, 20));

            // the next append starts a new segment, which ages out too
            final long next = c.append(new Entry().value(bytes(100, 99)));
            assertEquals(6, next);
            c.awaitAcknowledged(next);
            eventually(5000, () -> "the next segment is sealed by age too: " + sealed(collectionDir),
                () -> sealedSequences(collectionDir).equals(range(1, 6)));
            assertEquals(SegmentNames.sealed(6, 6), sealed(collectionDir).get(sealed(collectionDir).size() - 1)
                .getFileName().toString());
            assertEquals(range(1, 6), sequences(replayAll(c, 1)));
        }
    }

    /**
     * @return the sequences of every sealed segment of {@code collectionDir}, in file-name order.
     */
    private static List<Long> sealedSequences(final Path collectionDir)
    {
        final List<Long> all = new ArrayList<>();
        for (final Path p : sealed(collectionDir))
        {
            all.addAll(segmentSequences(p));
        }
        return all;
    }
}
