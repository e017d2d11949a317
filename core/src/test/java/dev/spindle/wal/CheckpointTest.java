package dev.spindle.wal;

import dev.spindle.wal.internal.segment.CheckpointFile;

import dev.spindle.wal.internal.segment.SegmentNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.spindle.wal.WalTestSupport.bytes;
import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sealed;
import static dev.spindle.wal.WalTestSupport.segmentSequences;
import static dev.spindle.wal.WalTestSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints: durable across restarts, delete exactly the sealed segments wholly at or below them,
 * never go backwards, never pass the acknowledged watermark.
 */
class CheckpointTest
{
    private static final String NAME = "cp";
    private static final int N = 2000;
    private static final long CHECKPOINT = 1000;

    @TempDir
    Path dir;

    private static long[] nameRange(final Path sealedFile)
    {
        final long[] r = SegmentNames.parseSealed(sealedFile.getFileName().toString());
        assertTrue(r != null, sealedFile.toString());
        return r;
    }

    private static void appendAll(final WalCollection c)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 1; i <= N; i++)
        {
            last = c.append(e.clear().key(("k" + i).getBytes()).value(bytes(200, i)));
        }
        c.awaitAcknowledged(last);
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldDeleteOnlySegmentsWhollyAtOrBelowTheCheckpointWhenCheckpointing(final IoMode ioMode) throws IOException
    {
        final Path lane = dir.resolve("lane");
        final Path cdir = lane.resolve(NAME);
        final WalOptions options = WalOptions.builder().walUrls(lane.toString()).ioMode(ioMode)
            .diskSegmentSizeBytes(64 * 1024).build();
        final List<Path> before;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(NAME);
            appendAll(c);
            before = sealed(cdir);
            assertTrue(before.size() >= 4, "2000 entries of ~230 bytes fill several 64 KiB segments: " + before);
            assertTrue(nameRange(before.get(0))[1] < CHECKPOINT && nameRange(before.get(before.size() - 1))[1] > CHECKPOINT,
                "the checkpoint falls in the middle of the sealed segments: " + before);
            assertEquals(0, c.checkpointSequence());

            c.checkpoint(CHECKPOINT);
            assertEquals(CHECKPOINT, c.checkpointSequence());

            long lastDeleted = 0;
            for (final Path p : before)
            {
                final long[] r = nameRange(p);
                if (r[1] <= CHECKPOINT)
                {
                    assertFalse(Files.exists(p), p + " lies wholly at or below the checkpoint: deleted");
                    lastDeleted = Math.max(lastDeleted, r[1]);
                }
                else
                {
                    assertTrue(Files.exists(p), p + " holds entries above the checkpoint: kept");
                }
            }
            assertTrue(lastDeleted > 0);
            assertTrue(Files.exists(cdir.resolve(CheckpointFile.NAME)), "checkpoint file written");

            // replay from 1 returns what is left: from right after the last deleted segment, no gap
            assertEquals(range(lastDeleted + 1, N), sequences(replayAll(c, 1)));
            assertEquals(range(CHECKPOINT + 1, N), sequences(replayAll(c, CHECKPOINT + 1)));

            // a checkpoint above what is acknowledged is refused and changes nothing
            assertThrows(IllegalArgumentException.class, () -> c.checkpoint(N + 1));
            assertThrows(IllegalArgumentException.class, () -> c.checkpoint(-1));
            assertEquals(CHECKPOINT, c.checkpointSequence());

            // a lower checkpoint is ignored
            c.checkpoint(CHECKPOINT / 2);
            assertEquals(CHECKPOINT, c.checkpointSequence());
            c.checkpoint(CHECKPOINT);
            assertEquals(CHECKPOINT, c.checkpointSequence());
            assertEquals(range(lastDeleted + 1, N), sequences(replayAll(c, 1)));
        }

        final long firstKept;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(NAME);
            assertEquals(CHECKPOINT, c.checkpointSequence(), "the checkpoint survives a restart");
            assertEquals(N, c.lastSequence());
            final List<WalRecord> records = replayAll(c, 1);
            firstKept = records.get(0).sequence();
            assertTrue(firstKept <= CHECKPOINT + 1, "entries above the checkpoint are all there");
            assertEquals(range(firstKept, N), sequences(records));
            for (final WalRecord r : records)
            {
                assertArrayEquals(bytes(200, (int)r.sequence()), r.value());
            }
            // lower again after the restart: still ignored
            c.checkpoint(10);
            assertEquals(CHECKPOINT, c.checkpointSequence());
            final long next = c.append(new Entry().value(new byte[]{1}));
            assertEquals(N + 1, next);
            c.awaitAcknowledged(next);
        }
        final Set<Long> onDisk = new TreeSet<>();
        for (final Path p : sealed(cdir))
        {
            onDisk.addAll(segmentSequences(p));
        }
        assertEquals(new TreeSet<>(range(firstKept, N + 1)), onDisk);
    }

    @Test
    void shouldContinueSequencesAfterRestartWhenEverySegmentWasCheckpointedAway()
    {
        final Path lane = dir.resolve("lane");
        final Path cdir = lane.resolve(NAME);
        final WalOptions options = WalOptions.builder().walUrls(lane.toString()).diskSegmentSizeBytes(64 * 1024).build();
        try (Wal wal = Wal.open(options))
        {
            appendAll(wal.collection(NAME));
        }
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(NAME);
            // after the restart every segment is sealed: a checkpoint at the end deletes them all
            c.checkpoint(N);
            assertEquals(List.of(), sealed(cdir));
            assertEquals(List.of(), sequences(replayAll(c, 1)));
        }
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(NAME);
            assertEquals(N, c.checkpointSequence());
            assertEquals(N, c.lastSequence(), "the checkpoint remembers where the sequences were");
            final long next = c.append(new Entry().value(new byte[]{7}));
            assertEquals(N + 1, next, "sequences never restart below a checkpoint");
            c.awaitAcknowledged(next);
            assertEquals(List.of(N + 1L), sequences(replayAll(c, 1)));
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void shouldCheckpointEveryLaneWhenACollectionIsSpreadWithoutAffinity(final IoMode ioMode)
    {
        final Path[] lanes = {dir.resolve("lane0"), dir.resolve("lane1")};
        final WalOptions options = WalOptions.builder()
            .walUrls(lanes[0].toString(), lanes[1].toString())
            .ioMode(ioMode)
            .collectionAffinity(false)
            .distributionStrategy(DistributionStrategy.RoundRobin)
            .diskSegmentSizeBytes(64 * 1024)
            .build();
        final List<Path> before = new ArrayList<>();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(NAME);
            appendAll(c);
            // A full segment of a collection spread over lanes is sealed once the collection's durable
            // watermark passes its end, at a later batch or timer tick of its lane: wait for that.
            WalTestSupport.eventually(5000, () -> "full segments sealed: " + wal.stats(), () ->
                wal.stats().lanes().stream().flatMap(l -> l.collections().stream())
                    .allMatch(s -> s.activeSegments() <= 1));
            for (final Path lane : lanes)
            {
                final List<Path> files = sealed(lane.resolve(NAME));
                assertTrue(files.size() >= 2, "each lane sealed segments: " + files);
                before.addAll(files);
            }
            c.checkpoint(CHECKPOINT);
            final Set<Long> kept = new HashSet<>();
            for (final Path p : before)
            {
                final long[] r = nameRange(p);
                if (r[1] <= CHECKPOINT)
                {
                    assertFalse(Files.exists(p), p + " lies wholly at or below the checkpoint: deleted");
                }
                else
                {
                    assertTrue(Files.exists(p), p + " holds entries above the checkpoint: kept");
                    kept.addAll(segmentSequences(p));
                }
            }
            for (final Path lane : lanes)
            {
                assertTrue(Files.exists(lane.resolve(NAME).resolve(CheckpointFile.NAME)),
                    "checkpoint file in " + lane);
            }
            // replay returns what is still held, in order; above the checkpoint nothing is missing
            final List<Long> replayed = sequences(replayAll(c, 1));
            for (int i = 1; i < replayed.size(); i++)
            {
                assertTrue(replayed.get(i) > replayed.get(i - 1), "replay is in sequence order");
            }
            assertTrue(replayed.containsAll(range(CHECKPOINT + 1, N)), "nothing above the checkpoint is missing");
            assertEquals(range(CHECKPOINT + 1, N), sequences(replayAll(c, CHECKPOINT + 1)));
            for (final long s : replayed)
            {
                assertTrue(s > CHECKPOINT || kept.contains(s) || isActive(s, lanes),
                    "replayed " + s + " is still on disk");
            }
            assertThrows(IllegalArgumentException.class, () -> c.checkpoint(N + 1));
            c.checkpoint(1);
            assertEquals(CHECKPOINT, c.checkpointSequence());
        }
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(NAME);
            assertEquals(CHECKPOINT, c.checkpointSequence());
            assertEquals(N, c.lastSequence());
            assertEquals(range(CHECKPOINT + 1, N), sequences(replayAll(c, CHECKPOINT + 1)));
            final long next = c.append(new Entry().value(new byte[]{1}));
            assertEquals(N + 1, next);
            c.awaitAcknowledged(next);
        }
    }

    /**
     * @return true when {@code s} lies in an active ({@code .open}) segment of one of the lanes.
     */
    private static boolean isActive(final long s, final Path[] lanes)
    {
        for (final Path lane : lanes)
        {
            for (final Path p : WalTestSupport.open(lane.resolve(NAME)))
            {
                if (segmentSequences(p).contains(s))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
