package dev.spindle.wal;

import dev.spindle.wal.internal.segment.SegmentPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import static dev.spindle.wal.WalTestSupport.bytes;
import static dev.spindle.wal.WalTestSupport.files;
import static dev.spindle.wal.WalTestSupport.open;
import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sealed;
import static dev.spindle.wal.WalTestSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segment recycling: segments a checkpoint freed are overwritten as new segments, and a recycled file's
 * earlier life, whose blocks still carry valid CRCs, is never taken for entries: not by replay, not by
 * recovery after a crash, not by verify.
 */
class RecycleTest
{
    private static final long SEGMENT = 128 * 1024;
    private static final int VALUE = 1000;

    @TempDir
    Path dir;

    private WalOptions options(final Path lane, final IoMode ioMode)
    {
        return WalOptions.builder().walUrls(lane.toString()).ioMode(ioMode).syncMode(SyncMode.PerBatch)
            .diskSegmentSizeBytes(SEGMENT).recycleSegments(2).build();
    }

    private static long append(final WalCollection c, final long count, final long seed)
    {
        final Entry e = new Entry();
        long last = 0;
        for (long i = 0; i < count; i++)
        {
            last = c.append(e.clear().key(Long.toString(seed + i).getBytes()).value(bytes(VALUE, seed + i)));
        }
        c.awaitAcknowledged(last);
        return last;
    }

    /**
     * A crash image of what is on disk now: every file of {@code from}, copied while the WAL is open (acknowledged
     * entries are written, so a copy sees what kill -9 would leave).
     */
    private static void copyTree(final Path from, final Path to)
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldNeverReplayARecycledSegmentsEarlierEntries(final IoMode ioMode)
    {
        final Path lane = dir.resolve("lane");
        final Path image = dir.resolve("image");
        final long firstLife;
        final long last;
        try (Wal wal = Wal.open(options(lane, ioMode)))
        {
            final WalCollection c = wal.collection("c");
            firstLife = append(c, 600, 0);   // several full segments of this collection
            final int sealedBefore = sealed(lane.resolve("c")).size();
            assertTrue(sealedBefore >= 3, "sealed: " + sealedBefore);
            c.checkpoint(firstLife);
            assertEquals(2, files(lane.resolve(SegmentPool.DIRECTORY), ".free").size(), "freed segments kept");
            assertTrue(sealed(lane.resolve("c")).isEmpty());
        }
        // the freed files stay for the next open (the active segment, sealed small at close, was deleted)
        assertEquals(2, files(lane.resolve(SegmentPool.DIRECTORY), ".free").size());
        try (Wal wal = Wal.open(options(lane, ioMode)))
        {
            // the next segment is a recycled file: a few new entries, then the old life's valid blocks
            final WalCollection c = wal.collection("c");
            last = append(c, 5, 1_000_000);
            assertEquals(1, files(lane.resolve(SegmentPool.DIRECTORY), ".free").size());
            final List<Path> active = open(lane.resolve("c"));
            assertEquals(1, active.size());
            try
            {
                assertTrue(Files.size(active.get(0)) >= SEGMENT / 4 * 3, "recycled file keeps its length");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            assertEquals(range(firstLife + 1, last), sequences(replayAll(c, firstLife + 1)));
            copyTree(lane, image);
        }
        // after a crash (the copy) and after a clean close (the original), only the new life replays
        for (final Path root : List.of(image, lane))
        {
            try (Wal wal = Wal.open(options(root, ioMode)))
            {
                final WalCollection c = wal.collection("c");
                final List<WalRecord> records = replayAll(c, 0);
                assertEquals(range(firstLife + 1, last), sequences(records), root.toString());
                for (final WalRecord r : records)
                {
                    assertArrayEquals(bytes(VALUE, 1_000_000 + r.sequence() - firstLife - 1), r.value());
                }
                assertEquals(last, c.lastSequence());
            }
            final WalVerifier.Report report = WalVerifier.verify(options(root, ioMode));
            assertTrue(report.clean(), root + ": " + report.findings());
        }
    }

    @Test
    void shouldNeverTakeAnotherCollectionsEarlierLifeForEntries()
    {
        final Path lane = dir.resolve("lane");
        final Path image = dir.resolve("image");
        try (Wal wal = Wal.open(options(lane, IoMode.pwrite)))
        {
            final WalCollection old = wal.collection("old");
            old.checkpoint(append(old, 600, 0));
        }
        try (Wal wal = Wal.open(options(lane, IoMode.pwrite)))
        {
            final WalCollection fresh = wal.collection("fresh");
            assertEquals(1, append(fresh, 1, 7));
            assertEquals(1, files(lane.resolve(SegmentPool.DIRECTORY), ".free").size());
            copyTree(lane, image);
        }
        try (Wal wal = Wal.open(options(image, IoMode.pwrite)))
        {
            assertEquals(List.of(1L), sequences(replayAll(wal.collection("fresh"), 0)));
            assertTrue(replayAll(wal.collection("old"), 601).isEmpty());
        }
        assertTrue(WalVerifier.verify(options(image, IoMode.pwrite)).clean());
    }

    @Test
    void shouldDeleteFreedSegmentsWhenRecyclingIsOff() throws IOException
    {
        final Path lane = dir.resolve("lane");
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(lane.toString()).diskSegmentSizeBytes(SEGMENT)
            .recycleSegments(0).build()))
        {
            final WalCollection c = wal.collection("c");
            c.checkpoint(append(c, 600, 0));
            assertTrue(sealed(lane.resolve("c")).isEmpty());
        }
        assertTrue(Files.notExists(lane.resolve(SegmentPool.DIRECTORY)));
    }
}
