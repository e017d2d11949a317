package dev.spindle.wal.internal.segment;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segment room on its own: the one {@link Sealer}, {@link SegmentReader} block by block, and the
 * {@link CheckpointFile} format.
 */
class SealerAndReaderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSealAnActiveSegmentToItsWrittenLengthUnderItsSealedName() throws IOException
    {
        final SegmentFiles files = new SegmentFiles(dir, 1).block(3, 100).block(2, 50);
        final long written = files.segment.writePosition();
        final Path sealed = files.segment.seal();

        assertEquals(SegmentNames.sealed(1, 5), sealed.getFileName().toString());
        assertFalse(Files.exists(dir.resolve(SegmentNames.open(1))), "the .open name is gone");
        assertEquals(written, Files.size(sealed), "truncated to the last whole block");
    }

    @Test
    void shouldSealAFileByPathAndDeleteOneDurably() throws IOException
    {
        final Path open = dir.resolve(SegmentNames.open(7));
        Files.write(open, new byte[4096]);
        final Path sealed = dir.resolve(SegmentNames.sealed(7, 9));

        Sealer.seal(open, 1000, sealed);
        assertEquals(1000, Files.size(sealed));
        assertFalse(Files.exists(open));

        Sealer.delete(sealed);
        assertFalse(Files.exists(sealed));
    }

    @Test
    void shouldReadEveryBlockInOrderWithEntriesAndOffsets() throws IOException
    {
        final Path sealed = new SegmentFiles(dir, 10).block(3, 10).block(4, 20).segment.seal();
        try (SegmentReader reader = new SegmentReader(sealed))
        {
            final SegmentReader.Header header = reader.readHeader(SegmentFiles.COLLECTION);
            assertEquals(10, header.firstSequence);
            final SegmentReader.Block block = new SegmentReader.Block();
            reader.readBlock(header.length, reader.size(), 9, block);
            assertEquals(SegmentReader.Status.VALID, block.status);
            assertEquals(3, block.entries.size());
            assertEquals(10, block.entries.get(0).sequence());
            reader.readBlock(block.nextOffset, reader.size(), 12, block);
            assertEquals(SegmentReader.Status.VALID, block.status);
            assertEquals(4, block.entries.size());
            final WalRecord last = block.entries.get(3);
            assertEquals(16, last.sequence());
            assertEquals(20, last.value().length);
            assertEquals(reader.size(), block.nextOffset, "the last block ends the sealed file");
        }
    }

    @Test
    void shouldReportAFlippedByteInsideABlockAsInvalidAtItsOffset() throws IOException
    {
        final Path sealed = new SegmentFiles(dir, 1).block(2, 64).block(2, 64).segment.seal();
        final long secondBlock;
        try (SegmentReader reader = new SegmentReader(sealed))
        {
            final SegmentReader.Header header = reader.readHeader(null);
            final SegmentReader.Block block = new SegmentReader.Block();
            reader.readBlock(header.length, reader.size(), 0, block);
            secondBlock = block.nextOffset;
        }
        flip(sealed, secondBlock + 40);
        try (SegmentReader reader = new SegmentReader(sealed))
        {
            final SegmentReader.Header header = reader.readHeader(null);
            final SegmentReader.Block block = new SegmentReader.Block();
            reader.readBlock(header.length, reader.size(), 0, block);
            assertEquals(SegmentReader.Status.VALID, block.status, "the first block is untouched");
            reader.readBlock(block.nextOffset, reader.size(), 2, block);
            assertEquals(SegmentReader.Status.INVALID, block.status);
            assertTrue(block.problemOffset >= secondBlock, "the problem is placed in the damaged block: " +
                block.problemOffset);
        }
    }

    @Test
    void shouldRefuseAHeaderOfAnotherCollection() throws IOException
    {
        final Path sealed = new SegmentFiles(dir, 1).block(1, 1).segment.seal();
        try (SegmentReader reader = new SegmentReader(sealed))
        {
            assertThrows(CorruptSegmentException.class, () -> reader.readHeader("other"));
        }
    }

    @Test
    void shouldWriteAndReadACheckpointAndRefuseAnythingElse() throws IOException
    {
        CheckpointFile.write(dir, 1234);
        assertEquals(1234, CheckpointFile.read(dir.resolve(CheckpointFile.NAME)));
        assertEquals("spindle-checkpoint v1 sequence=1234\n",
            Files.readString(dir.resolve(CheckpointFile.NAME), StandardCharsets.US_ASCII));

        Files.writeString(dir.resolve(CheckpointFile.NAME), "spindle-checkpoint v1 sequence=-5\n");
        assertEquals(-1, CheckpointFile.read(dir.resolve(CheckpointFile.NAME)));
        Files.writeString(dir.resolve(CheckpointFile.NAME), "garbage");
        assertEquals(-1, CheckpointFile.read(dir.resolve(CheckpointFile.NAME)));
        Files.writeString(dir.resolve(CheckpointFile.NAME), "spindle-checkpoint v1 sequence=" + "9".repeat(200));
        assertEquals(-1, CheckpointFile.read(dir.resolve(CheckpointFile.NAME)), "no more than 128 bytes are read");
    }

    private static void flip(final Path file, final long offset) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte)(one.get(0) ^ 0x5a));
            one.rewind();
            channel.write(one, offset);
        }
    }
}
