package dev.spindle.bench.durable;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Chronicle Queue (open source) as its documentation has it: one appender, one excerpt per entry (the key and
 * the value written as raw bytes into the document), and {@code appender.sync()} once per MiB appended.
 *
 * <p>The queue is built with {@code syncMode(SyncMode.SYNC)}: Chronicle's default is {@code ASYNC}, an
 * msync with {@code MS_ASYNC}, which on Linux makes nothing durable; with it the comparison would not be at
 * equal durability. Everything else is Chronicle's default (block size, roll cycle).
 */
public final class ChronicleQueueWriter implements DurableWriter
{
    /** Chronicle's own framing: a 4-byte header per excerpt. */
    private static final int HEADER = 4;

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final SyncCadence cadence = new SyncCadence();

    public ChronicleQueueWriter(final Path dir)
    {
        queue = SingleChronicleQueueBuilder.binary(dir).syncMode(SyncMode.SYNC).build();
        appender = queue.createAppender();
    }

    @Override
    public void append(final byte[] key, final byte[] value)
    {
        try (DocumentContext document = appender.writingDocument())
        {
            final Bytes<?> bytes = document.wire().bytes();
            bytes.write(key);
            bytes.write(value);
        }
        if (cadence.appended(HEADER + key.length + value.length))
        {
            appender.sync();
            cadence.synced();
        }
    }

    @Override
    public long syncs()
    {
        return cadence.syncs();
    }

    /**
     * @return the msync mode of the store being appended to (for the writers' own tests: it must be SYNC).
     */
    public SyncMode storeSyncMode()
    {
        try (DocumentContext document = appender.writingDocument())
        {
            document.rollbackOnClose();
            return ((net.openhft.chronicle.bytes.MappedBytesStore)document.wire().bytes().bytesStore()).syncMode();
        }
    }

    /**
     * @return the excerpts in the queue, read back with a tailer (for the writers' own tests).
     */
    public long count()
    {
        long n = 0;
        try (net.openhft.chronicle.queue.ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext document = tailer.readingDocument())
                {
                    if (!document.isPresent())
                    {
                        return n;
                    }
                    n++;
                }
            }
        }
    }

    @Override
    public void close()
    {
        appender.sync();
        appender.close();
        queue.close();
    }
}
