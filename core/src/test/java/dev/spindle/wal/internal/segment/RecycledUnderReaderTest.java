package dev.spindle.wal.internal.segment;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.internal.replay.MergedReplay;
import dev.spindle.wal.internal.replay.SegmentRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader in the middle of a sealed segment that a checkpoint freed and the writer now overwrites (a recycled
 * file): the reader is told so, and not that the segment is corrupt. The same bytes under the segment's own
 * name are corruption.
 */
class RecycledUnderReaderTest
{
    @TempDir
    Path dir;

    private Path sealedSegment() throws IOException
    {
        return new SegmentFiles(dir, 1).block(10, 100).block(10, 100).block(10, 100).segment.seal();
    }

    private static void overwriteAfterHeader(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final byte[] garbage = new byte[(int)channel.size() - 200];
            Arrays.fill(garbage, (byte)0x5a);
            channel.write(ByteBuffer.wrap(garbage), 200);
        }
    }

    private static WalReplay replay(final Path sealed)
    {
        return new MergedReplay(List.of(new SegmentRef(sealed, 1, 30, Long.MAX_VALUE, 30, true, null)),
            SegmentFiles.COLLECTION, 1, new ArrayList<>());
    }

    @Test
    void shouldSayTheSegmentWasFreedWhenItIsOverwrittenUnderAnotherName() throws IOException
    {
        final Path sealed = sealedSegment();
        try (WalReplay replay = replay(sealed))
        {
            assertEquals(1, replay.next().sequence());
            final Path pool = dir.resolve("1.free");
            Files.move(sealed, pool);
            overwriteAfterHeader(pool);
            final WalException ex = assertThrows(WalException.class, () -> {
                while (replay.hasNext())
                {
                    replay.next();
                }
            });
            assertTrue(ex.getMessage().contains("freed by a checkpoint and overwritten"), ex.getMessage());
        }
    }

    @Test
    void shouldReportCorruptionWhenTheSegmentIsStillUnderItsName() throws IOException
    {
        final Path sealed = sealedSegment();
        try (WalReplay replay = replay(sealed))
        {
            assertEquals(1, replay.next().sequence());
            overwriteAfterHeader(sealed);
            assertThrows(CorruptSegmentException.class, () -> {
                while (replay.hasNext())
                {
                    replay.next();
                }
            });
        }
    }
}
