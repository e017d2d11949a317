package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.spindle.wal.SegmentSurgery.appendBatch;
import static dev.spindle.wal.SegmentSurgery.drain;
import static dev.spindle.wal.SegmentSurgery.flip;
import static dev.spindle.wal.SegmentSurgery.read;
import static dev.spindle.wal.SegmentSurgery.write;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replay that fails on a damaged segment header closes the file it opened: before, the merge kept a cursor only
 * once it had opened, so each failed replay leaked the descriptor of the segment whose header did not parse.
 */
class ReaderDescriptorTest
{
    private static final int REPLAYS = 300;

    @TempDir
    Path dir;

    @Test
    void aReplayThatMeetsADamagedHeaderLeaksNoFileDescriptor() throws IOException
    {
        final Path lane = dir.resolve("lane");
        try (Wal wal = Wal.open(SegmentSurgery.options(SyncMode.PerBatch, IoMode.pwrite, lane).build()))
        {
            final WalCollection c = wal.collection("c");
            while (WalTestSupport.sealed(lane.resolve("c")).isEmpty())
            {
                appendBatch(c, 200);
            }
            final Path sealed = WalTestSupport.sealed(lane.resolve("c")).get(0);
            write(sealed, flip(read(sealed), 1, 0x01));    // its magic: the header no longer parses
            final long before = openDescriptors();
            for (int i = 0; i < REPLAYS; i++)
            {
                assertThrows(CorruptSegmentException.class, () -> drain(wal.replay("c", 1)));
            }
            final long after = openDescriptors();
            assertTrue(after - before < REPLAYS / 10, "descriptors open before " + REPLAYS + " failed replays: " +
                before + ", after: " + after);
        }
    }

    private static long openDescriptors() throws IOException
    {
        final Path fds = Path.of("/proc/self/fd");
        assertTrue(Files.isDirectory(fds), "counts descriptors through /proc (Linux)");
        try (Stream<Path> list = Files.list(fds))
        {
            return list.count();
        }
    }
}
