package dev.spindle.wal.internal.replay;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.io.IOException;
import java.nio.file.Files;

/**
 * Walks the entries of one segment in order, one block at a time.
 */
final class SegmentCursor
{
    private final SegmentRef ref;
    private final String collection;
    private final long fromSequence;
    private final SegmentReader.Block block = new SegmentReader.Block();
    private SegmentReader reader;
    private long offset;
    private long limit;
    private long previous;
    private int index;
    private WalRecord current;
    private boolean exhausted;

    SegmentCursor(final SegmentRef ref, final String collection, final long fromSequence)
    {
        this.ref = ref;
        this.collection = collection;
        this.fromSequence = fromSequence;
    }

    /**
     * Open the file; a segment that vanished (sealed, or deleted by a checkpoint, meanwhile) is reported.
     *
     * @return false when the file does not exist.
     */
    boolean open() throws IOException
    {
        reader = ref.openReader();
        if (reader == null)
        {
            return false;
        }
        try
        {
            offset = reader.readHeader(collection).length;
            limit = Math.min(ref.limit(), reader.size());
            previous = ref.firstSequence() - 1;
            index = 0;
            block.entries.clear();
            advance();
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            close();    // not yet the replay's to close
            if (ex instanceof CorruptSegmentException && ref.sealed())
            {
                throwIfRecycled();
            }
            throw ex;
        }
    }

    WalRecord current()
    {
        return current;
    }

    boolean exhausted()
    {
        return exhausted;
    }

    void advance() throws IOException
    {
        while (true)
        {
            if (index < block.entries.size())
            {
                final WalRecord record = block.entries.get(index++);
                if (record.sequence() > ref.maxSequence())
                {
                    finish();
                    return;
                }
                if (record.sequence() >= fromSequence)
                {
                    current = record;
                    return;
                }
                continue;
            }
            if (offset >= limit)
            {
                finish();
                return;
            }
            reader.readBlock(offset, limit, previous, block);
            index = 0;
            switch (block.status)
            {
                case VALID:
                    offset = block.nextOffset;
                    previous = block.entries.get(block.entries.size() - 1).sequence();
                    break;
                case END:
                    if (ref.sealed())
                    {
                        throwIfRecycled();
                        throw new CorruptSegmentException(ref.path(), offset, "sealed segment ends with zeros");
                    }
                    finish();
                    return;
                case INVALID:
                default:
                    if (ref.sealed())
                    {
                        throwIfRecycled();
                    }
                    throw new CorruptSegmentException(ref.path(), block.problemOffset, block.problem);
            }
        }
    }

    /**
     * A sealed local segment that stops making sense and is no longer under its name was freed by a checkpoint
     * and is being overwritten as a new segment (a recycled file): not damage, but its entries are gone.
     */
    private void throwIfRecycled()
    {
        if (ref.remote() == null && ref.memory() == null && !Files.exists(ref.path()))
        {
            throw new WalException("cannot replay " + collection + " from " + fromSequence + ": " + ref.path() +
                " (entries " + ref.firstSequence() + ".." + ref.lastSequence() + ") was freed by a checkpoint and " +
                "overwritten while this replay read it; replay from after the collection's checkpoint");
        }
    }

    private void finish() throws IOException
    {
        current = null;
        exhausted = true;
        close();
    }

    void close() throws IOException
    {
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }
}
