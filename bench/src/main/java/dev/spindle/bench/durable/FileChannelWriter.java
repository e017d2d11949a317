package dev.spindle.bench.durable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The plain writer a team would write first: records ({@code int length, key, value}) gathered in a 1 MiB
 * direct buffer, written with one positional {@code FileChannel.write} and made durable with
 * {@code force(false)} (fdatasync) each time the buffer fills, appending to new files of 64 MiB. No encoding,
 * no checksum.
 */
public final class FileChannelWriter implements DurableWriter
{
    private final Path dir;
    private final ByteBuffer buffer;
    private FileChannel file;
    private int fileIndex;
    private long position;
    private long syncs;

    public FileChannelWriter(final Path dir, final int maxRecord) throws IOException
    {
        this.dir = dir;
        this.buffer = ByteBuffer.allocateDirect((int)SYNC_BYTES + maxRecord);
        this.file = open();
    }

    private FileChannel open() throws IOException
    {
        position = 0;
        return FileChannel.open(dir.resolve(String.format("%020d.log", fileIndex++)), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
    }

    @Override
    public void append(final byte[] key, final byte[] value) throws IOException
    {
        buffer.putInt(key.length + value.length).put(key).put(value);
        if (buffer.position() >= SYNC_BYTES)
        {
            flush();
        }
    }

    private void flush() throws IOException
    {
        buffer.flip();
        while (buffer.hasRemaining())
        {
            position += file.write(buffer, position);
        }
        buffer.clear();
        file.force(false);
        syncs++;
        if (position >= FILE_BYTES)
        {
            file.close();
            file = open();
        }
    }

    @Override
    public long syncs()
    {
        return syncs;
    }

    @Override
    public void close() throws IOException
    {
        if (buffer.position() > 0)
        {
            flush();
        }
        file.close();
    }
}
