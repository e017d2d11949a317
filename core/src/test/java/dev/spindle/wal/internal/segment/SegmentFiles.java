package dev.spindle.wal.internal.segment;

import dev.spindle.wal.Entry;
import dev.spindle.wal.SyncMode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes real segment files for the segment room's own tests: one block per {@link #block} call, through
 * the writer's classes ({@link StagedEntry}, {@link EntryEncoder}, {@link PwriteSegment}).
 */
final class SegmentFiles
{
    static final String COLLECTION = "docs";
    private static final byte[] NAME = COLLECTION.getBytes(StandardCharsets.UTF_8);

    private final StagedEntry staged = new StagedEntry();
    private final EntryEncoder encoder = new EntryEncoder(42);
    final PwriteSegment segment;
    private long sequence;

    SegmentFiles(final Path dir, final long firstSequence) throws IOException
    {
        final byte[] sync = new byte[SegmentFormat.SYNC_SIZE];
        sync[0] = 7;
        sync[15] = 9;
        final byte[] header = SegmentFormat.header(COLLECTION, firstSequence, 42, 1_000_000, SyncMode.PerBatch, sync);
        final java.nio.file.Path path = dir.resolve(SegmentNames.open(firstSequence));
        final SegmentPool.Recycled file = new SegmentPool.Recycled(PwriteSegment.createFile(path, header), header.length);
        segment = PwriteSegment.create(path, header, firstSequence, sync, 1 << 20,
            new StagingPool(128 * 1024), new AtomicLong(), null, 1 << 20, file, null);
        sequence = firstSequence - 1;
    }

    /** Append {@code entries} entries of {@code valueBytes} each and close them as one block, forced. */
    SegmentFiles block(final int entries, final int valueBytes) throws IOException
    {
        final Entry entry = new Entry().value(new byte[valueBytes]);
        for (int i = 0; i < entries; i++)
        {
            append(entry, sequence + 1);
        }
        return closeForced();
    }

    /** Append one entry per sequence given (they must increase; gaps are allowed) as one block, forced. */
    SegmentFiles blockOf(final long... sequences) throws IOException
    {
        final Entry entry = new Entry().value(new byte[3]);
        for (final long s : sequences)
        {
            append(entry, s);
        }
        return closeForced();
    }

    private void append(final Entry entry, final long at) throws IOException
    {
        sequence = at;
        staged.stage(entry, NAME, sequence, sequence, 1_000_000, (int)StagedEntry.encodedBound(entry, NAME.length));
        if (!segment.append(staged, encoder))
        {
            throw new IOException("segment full");
        }
    }

    private SegmentFiles closeForced() throws IOException
    {
        segment.closeBlock();
        segment.force();
        segment.forced();
        return this;
    }

    long lastSequence()
    {
        return sequence;
    }
}
