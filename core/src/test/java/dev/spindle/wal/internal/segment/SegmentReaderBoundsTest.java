package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import org.apache.avro.io.BinaryData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader told to read a growing file to its end ({@code Long.MAX_VALUE}, what a tail passes for an active segment)
 * checks every length against the bytes the file holds now. Bytes after the last block that claim a block of 2^33 or
 * 2^31 - 1 bytes once overflowed an int (an IndexOutOfBoundsException stopped {@code TailTest}'s tail, now and then,
 * on a recycled mapped segment) or would have been allocated; they are where the log ends.
 */
class SegmentReaderBoundsTest
{
    @TempDir
    Path dir;

    @Test
    void bytesClaimingAHugeBlockAfterTheLastOneAreTheEndNotAnExceptionOrAnAllocation() throws IOException
    {
        final Path lane = dir.resolve("lane");
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(lane.toString()).syncMode(SyncMode.PerBatch).build()))
        {
            final WalCollection c = wal.collection("c");
            c.awaitAcknowledged(c.append(new Entry().value(new byte[]{1, 2, 3})));
        }
        final Path sealed;
        try (Stream<Path> files = Files.list(lane.resolve("c")))
        {
            sealed = files.filter(p -> p.toString().endsWith(".avro")).findFirst().orElseThrow();
        }
        for (final long claim : new long[]{1L << 33, Integer.MAX_VALUE - 1, 1L << 30})
        {
            final Path file = Files.copy(sealed, dir.resolve(claim + ".open"));
            final byte[] garbage = new byte[64];
            final int at = BinaryData.encodeLong(1, garbage, 0);
            BinaryData.encodeLong(claim, garbage, at);
            Files.write(file, garbage, StandardOpenOption.APPEND);
            try (SegmentReader reader = new SegmentReader(file))
            {
                final SegmentReader.Header header = reader.readHeader("c");
                final SegmentReader.Block block = new SegmentReader.Block();
                reader.readBlock(header.length, Long.MAX_VALUE, 0, block);
                assertEquals(SegmentReader.Status.VALID, block.status, block.problem);
                reader.readBlock(block.nextOffset, Long.MAX_VALUE, 1, block);
                assertEquals(SegmentReader.Status.INVALID, block.status, "a claim of " + claim + " bytes");
                assertTrue(block.problem.contains("does not fit"), block.problem);
            }
        }
    }
}
