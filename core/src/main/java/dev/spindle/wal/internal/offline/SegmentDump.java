package dev.spindle.wal.internal.offline;

import dev.spindle.wal.WalReader.SegmentEnd;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One segment file read on its own, block by block, as {@code spindle dump} shows it: every entry of the
 * whole blocks, then where and why the whole blocks end. Caller's thread.
 */
public final class SegmentDump
{
    private SegmentDump()
    {
    }

    public static SegmentEnd read(final Path file, final Consumer<WalRecord> each) throws IOException
    {
        final boolean sealed = SegmentNames.parseSealed(file.getFileName().toString()) != null;
        try (SegmentReader reader = new SegmentReader(file))
        {
            final SegmentReader.Header header = reader.readHeader(null);
            final SegmentReader.Block block = new SegmentReader.Block();
            long offset = header.length;
            long previous = header.firstSequence - 1;
            while (true)
            {
                reader.readBlock(offset, reader.size(), previous, block);
                if (block.status != SegmentReader.Status.VALID)
                {
                    break;
                }
                for (final WalRecord r : block.entries)
                {
                    each.accept(r);
                    previous = r.sequence();
                }
                offset = block.nextOffset;
            }
            final String problem = offset >= reader.size() ? null :
                block.status == SegmentReader.Status.INVALID ? block.problem : "zeros";
            return new SegmentEnd(offset, reader.size(), sealed, problem, problem == null ? -1 : block.problemOffset);
        }
    }
}
