package dev.spindle.bench.durable;

import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The plain mapped writer: each 64 MiB file is mapped whole ({@code FileChannel.map}, which extends it
 * sparsely), records ({@code int length, key, value}) are put into the mapping, and
 * {@code MappedByteBuffer.force(index, length)} (msync) makes the bytes appended since the last force
 * durable once per MiB. A record that does not fit ends the file. Full files are unmapped at once.
 */
public final class MappedBufferWriter implements DurableWriter
{
    private final Path dir;
    private MappedByteBuffer map;
    private int fileIndex;
    private int forced;
    private long syncs;

    public MappedBufferWriter(final Path dir) throws IOException
    {
        this.dir = dir;
        this.map = open();
    }

    private MappedByteBuffer open() throws IOException
    {
        forced = 0;
        try (FileChannel file = FileChannel.open(dir.resolve(String.format("%020d.log", fileIndex++)),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return file.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
        }
    }

    @Override
    public void append(final byte[] key, final byte[] value) throws IOException
    {
        if (map.remaining() < 4 + key.length + value.length)
        {
            force();
            IoUtil.unmap(map);
            map = open();
        }
        map.putInt(key.length + value.length).put(key).put(value);
        if (map.position() - forced >= SYNC_BYTES)
        {
            force();
        }
    }

    private void force()
    {
        final int end = map.position();
        if (end > forced)
        {
            map.force(forced, end - forced);
            forced = end;
            syncs++;
        }
    }

    @Override
    public long syncs()
    {
        return syncs;
    }

    @Override
    public void close()
    {
        force();
        IoUtil.unmap(map);
    }
}
