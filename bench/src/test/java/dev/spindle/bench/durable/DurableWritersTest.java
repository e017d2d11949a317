package dev.spindle.bench.durable;

import dev.spindle.wal.IoMode;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writers the benchmarks compare: each writes every entry it was given, and the peers sync once per MiB
 * appended (the equal durability the comparison rests on), no more often and no less.
 */
class DurableWritersTest
{
    private static final int VALUE = 4096;
    private static final int RECORD = 4 + 16 + VALUE;
    /** 3.5 MiB of records: three syncs at each MiB, one more at close. */
    private static final int ENTRIES = (int)(3.5 * DurableWriter.SYNC_BYTES / RECORD);

    @TempDir
    Path dir;

    private static byte[] key(final int i)
    {
        final byte[] key = new byte[16];
        key[0] = (byte)i;
        key[1] = (byte)(i >>> 8);
        return key;
    }

    private static byte[] value(final int i)
    {
        final byte[] value = new byte[VALUE];
        java.util.Arrays.fill(value, (byte)i);
        return value;
    }

    private static long writeAll(final DurableWriter writer) throws IOException
    {
        for (int i = 0; i < ENTRIES; i++)
        {
            writer.append(key(i), value(i));
        }
        return writer.syncs();
    }

    @Test
    void fileChannelWriterShouldWriteEveryRecordAndSyncOncePerMebibyte() throws IOException
    {
        final FileChannelWriter writer = new FileChannelWriter(dir, RECORD);
        assertEquals(3, writeAll(writer));
        writer.close();
        assertEquals(4, writer.syncs());
        assertRecords(Files.readAllBytes(dir.resolve(String.format("%020d.log", 0))), ENTRIES);
    }

    @Test
    void mappedBufferWriterShouldWriteEveryRecordAndSyncOncePerMebibyte() throws IOException
    {
        final MappedBufferWriter writer = new MappedBufferWriter(dir);
        assertEquals(3, writeAll(writer));
        writer.close();
        assertEquals(4, writer.syncs());
        final byte[] file = Files.readAllBytes(dir.resolve(String.format("%020d.log", 0)));
        assertEquals(DurableWriter.FILE_BYTES, file.length, "mapped whole");
        assertRecords(file, ENTRIES);
    }

    @Test
    void chronicleBytesWriterShouldWriteEveryRecordAndSyncOncePerMebibyte() throws IOException
    {
        final ChronicleBytesWriter writer = new ChronicleBytesWriter(dir);
        assertEquals(3, writeAll(writer));
        assertEquals(net.openhft.chronicle.bytes.SyncMode.SYNC, writer.storeSyncMode(), "msync(MS_SYNC), not ASYNC");
        assertEquals((long)ENTRIES * RECORD, writer.written());
        writer.close();
        assertEquals(4, writer.syncs());
        final byte[] file;
        try (FileChannel channel = FileChannel.open(dir.resolve("chronicle-bytes.log")))
        {
            final ByteBuffer head = ByteBuffer.allocate(ENTRIES * RECORD);
            channel.read(head, 0);
            file = head.array();
        }
        assertRecords(file, ENTRIES, java.nio.ByteOrder.LITTLE_ENDIAN);   // Chronicle writes in the platform's order
    }

    @Test
    void chronicleQueueWriterShouldWriteEveryExcerptAndSyncOncePerMebibyte() throws IOException
    {
        final ChronicleQueueWriter writer = new ChronicleQueueWriter(dir);
        assertEquals(3, writeAll(writer));
        assertEquals(ENTRIES, writer.count());
        assertEquals(net.openhft.chronicle.bytes.SyncMode.SYNC, writer.storeSyncMode(), "msync(MS_SYNC), not ASYNC");
        writer.close();
        try (Stream<Path> files = Files.list(dir))
        {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".cq4")), "a queue file");
        }
    }

    @Test
    void spindleWriterShouldAcknowledgeAndReplayEveryEntry() throws IOException
    {
        for (final IoMode mode : List.of(IoMode.pwrite, IoMode.mmap))
        {
            final Path lanes = Files.createDirectories(dir.resolve(mode.name()));
            try (SpindleWriter writer = new SpindleWriter(lanes, mode, false))
            {
                writeAll(writer);
                writer.awaitAll();
                assertEquals(ENTRIES, writer.collection().durableSequence(), mode + ": durable");
                try (WalReplay replay = writer.collection().replay(1))
                {
                    for (int i = 0; i < ENTRIES; i++)
                    {
                        final WalRecord record = replay.next();
                        assertArrayEquals(key(i), record.key());
                        assertArrayEquals(value(i), record.value());
                    }
                    assertTrue(!replay.hasNext());
                }
            }
        }
    }

    /**
     * {@code int length, key, value} records from the start of {@code file}, the length big-endian.
     */
    private static void assertRecords(final byte[] file, final int count)
    {
        assertRecords(file, count, java.nio.ByteOrder.BIG_ENDIAN);
    }

    private static void assertRecords(final byte[] file, final int count, final java.nio.ByteOrder order)
    {
        final ByteBuffer in = ByteBuffer.wrap(file).order(order);
        for (int i = 0; i < count; i++)
        {
            assertEquals(16 + VALUE, in.getInt(), "length of record " + i);
            final byte[] key = new byte[16];
            final byte[] value = new byte[VALUE];
            in.get(key).get(value);
            assertArrayEquals(key(i), key, "key of record " + i);
            assertArrayEquals(value(i), value, "value of record " + i);
        }
    }
}
