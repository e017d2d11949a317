package dev.spindle.wal;

import dev.spindle.wal.internal.segment.CheckpointFile;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.SegmentSurgery.appendBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 5 for symbolic links planted inside a lane directory, each pointing at a file outside it: no write
 * follows one. The lock file, a checkpoint's temp file, the pool of freed segments and an active segment's name
 * are tried; the file outside keeps its bytes every time. Before, the lock file and the temp files of a
 * checkpoint and of recovery were opened following links, and truncated what they pointed at.
 */
class HostilePathsTest
{
    private static final String PRECIOUS = "an operator's file outside the WAL";

    @TempDir
    Path dir;

    private Path outside() throws IOException
    {
        return Files.writeString(dir.resolve("outside.txt"), PRECIOUS);
    }

    private Path lane()
    {
        return dir.resolve("lane");
    }

    private WalOptions options()
    {
        return SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, lane()).build();
    }

    private void assertUntouched(final Path outside) throws IOException
    {
        assertEquals(PRECIOUS, Files.readString(outside), outside + " keeps its bytes");
    }

    @Test
    void aLinkAtTheLockFileIsRefusedNotTruncated() throws IOException
    {
        final Path outside = outside();
        Files.createDirectories(lane());
        Files.createSymbolicLink(lane().resolve(".lock"), outside);
        final WalException ex = assertThrows(WalException.class, () -> Wal.open(options()).close());
        assertTrue(ex.getMessage().contains(lane().toString()), ex.getMessage());
        assertUntouched(outside);
    }

    @Test
    void linksAtThePublishedMetricsAreReplacedNotFollowed() throws IOException
    {
        final Path outside = outside();
        final Path other = Files.writeString(dir.resolve("other-precious"), PRECIOUS);
        Files.createDirectories(lane());
        Files.createSymbolicLink(lane().resolve(".spindle-stats.tmp"), outside);
        Files.createSymbolicLink(lane().resolve(".spindle-stats"), other);
        try (Wal wal = Wal.open(options()))
        {
            appendBatch(wal.collection("c"), 10);
        }
        assertUntouched(outside);
        assertUntouched(other);
        assertTrue(Files.isRegularFile(lane().resolve(".spindle-stats"), LinkOption.NOFOLLOW_LINKS),
            "the close published the lane's metrics in a file of its own");
    }

    @Test
    void aLinkAtACheckpointsTempFileIsReplacedNotFollowed() throws IOException
    {
        final Path outside = outside();
        try (Wal wal = Wal.open(options()))
        {
            final WalCollection c = wal.collection("c");
            final long last = appendBatch(c, 50);
            final Path link = lane().resolve("c").resolve(CheckpointFile.NAME + ".tmp");
            Files.createSymbolicLink(link, outside);
            c.checkpoint(last);
            assertEquals(last, c.checkpointSequence());
        }
        assertUntouched(outside);
        assertTrue(Files.isRegularFile(lane().resolve("c").resolve(CheckpointFile.NAME), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aLinkInPlaceOfThePoolOfFreedSegmentsIsRefused() throws IOException
    {
        final Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        final Path candidate = Files.writeString(elsewhere.resolve("1.free"), PRECIOUS);
        Files.createDirectories(lane());
        Files.createSymbolicLink(lane().resolve(SegmentPool.DIRECTORY), elsewhere);
        try (Wal wal = Wal.open(options()))
        {
            final WalCollection c = wal.collection("c");
            c.checkpoint(appendBatch(c, 50));
        }
        catch (final WalException refused)
        {
            assertTrue(refused.getMessage().contains(SegmentPool.DIRECTORY), refused.getMessage());
        }
        assertUntouched(candidate);
    }

    @Test
    void aLinkAtTheNameOfANewSegmentIsNeitherFollowedNorReplaced() throws IOException
    {
        final Path outside = outside();
        final Path link = Files.createDirectories(lane().resolve("c")).resolve(SegmentNames.open(1));
        Files.createSymbolicLink(link, outside);
        try (Wal wal = Wal.open(options()))
        {
            assertTrue(wal.recoveryNotes().stream().anyMatch(n -> n.contains(link.toString())),
                "recovery says it left the link alone: " + wal.recoveryNotes());
            final WalCollection c = wal.collection("c");
            final WalException refused = assertThrows(WalException.class,
                () -> c.awaitAcknowledged(c.append(new Entry().value(new byte[8])), 10, TimeUnit.SECONDS));
            assertTrue(refused.getMessage().contains(link + " exists already"), refused.getMessage());
        }
        catch (final WalException closing)
        {
            // closing a failed lane reports its failure
        }
        assertUntouched(outside);
        assertTrue(Files.isSymbolicLink(link), "the link itself is left alone");
    }
}
