package dev.spindle.bench.durable;

import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.SyncMode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A raw Chronicle Bytes writer, the building block the design card names: one {@code MappedBytes} over a file
 * mapped in 64 MiB chunks, records ({@code int length, key, value}) written at its write position, and
 * {@code MappedBytes.sync()} (msync of the current chunk up to the write position) once per MiB.
 *
 * <p>The mapped file is set to {@code SyncMode.SYNC} (Chronicle's default {@code ASYNC} makes nothing durable
 * on Linux). {@code sync()} covers only the chunk being written, so before a record crosses into the next
 * chunk the writer syncs, or the end of the previous chunk would never be made durable.
 */
public final class ChronicleBytesWriter implements DurableWriter
{
    private final MappedBytes bytes;
    private final SyncCadence cadence = new SyncCadence();

    public ChronicleBytesWriter(final Path dir) throws IOException
    {
        bytes = MappedBytes.mappedBytes(dir.resolve("chronicle-bytes.log").toFile(), FILE_BYTES);
        bytes.mappedFile().syncMode(SyncMode.SYNC);
    }

    @Override
    public void append(final byte[] key, final byte[] value)
    {
        final long position = bytes.writePosition();
        final int length = 4 + key.length + value.length;
        if (position / FILE_BYTES != (position + length) / FILE_BYTES && cadence.dirty())
        {
            sync();
        }
        bytes.writeInt(key.length + value.length);
        bytes.write(key);
        bytes.write(value);
        if (cadence.appended(length))
        {
            sync();
        }
    }

    private void sync()
    {
        bytes.sync();
        cadence.synced();
    }

    @Override
    public long syncs()
    {
        return cadence.syncs();
    }

    /**
     * @return the msync mode of the chunk being written (for the writers' own tests: it must be SYNC).
     */
    public SyncMode storeSyncMode()
    {
        return ((net.openhft.chronicle.bytes.MappedBytesStore)bytes.bytesStore()).syncMode();
    }

    /**
     * @return bytes written (for the writers' own tests).
     */
    public long written()
    {
        return bytes.writePosition();
    }

    @Override
    public void close()
    {
        if (cadence.dirty())
        {
            sync();
        }
        bytes.releaseLast();
    }
}
