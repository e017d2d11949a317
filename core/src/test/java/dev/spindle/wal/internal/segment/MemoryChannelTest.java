package dev.spindle.wal.internal.segment;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The in-memory file of MemoryOnly lanes: what is written at any position, across its growing chunks, reads back.
 */
class MemoryChannelTest
{
    @Test
    void shouldReadBackWhatWasWrittenAcrossChunkBoundaries() throws java.io.IOException
    {
        final MemoryChannel channel = new MemoryChannel(null);
        final byte[] expected = new byte[5 * 1024 * 1024 + 12345];
        new SplittableRandom(7).nextBytes(expected);
        final SplittableRandom sizes = new SplittableRandom(8);
        int at = 0;
        while (at < expected.length)
        {
            final int n = Math.min(expected.length - at, 1 + sizes.nextInt(300_000));
            final ByteBuffer source = ByteBuffer.wrap(expected, at, n);
            assertEquals(n, channel.write(source, at));
            assertEquals(at + n, source.position());
            at += n;
        }
        assertEquals(expected.length, channel.size());
        for (final int offset : new int[]{0, 64 * 1024 - 3, 960 * 1024 - 1, 1984 * 1024 + 5, expected.length - 100})
        {
            final ByteBuffer read = ByteBuffer.allocate(Math.min(3 * 1024 * 1024, expected.length - offset));
            assertEquals(read.capacity(), channel.readFully(read, offset));
            final byte[] want = java.util.Arrays.copyOfRange(expected, offset, offset + read.capacity());
            assertArrayEquals(want, read.array(), "at " + offset);
        }
        assertEquals(-1, channel.read(ByteBuffer.allocate(10), expected.length));
        channel.truncate(1000);
        assertEquals(1000, channel.size());
        final ByteBuffer rest = ByteBuffer.allocate(2000);
        assertEquals(1000, channel.readFully(rest, 0));
    }

    @Test
    void shouldReuseADeletedSegmentsChunksOnlyOnceItsLastReaderClosed() throws java.io.IOException
    {
        final MemoryStore store = new MemoryStore(0);
        final java.nio.file.Path path = java.nio.file.Path.of("c", "1-9.avro");
        final MemoryChannel channel = store.create(path);
        final byte[] bytes = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(bytes, (byte)7);
        channel.write(ByteBuffer.wrap(bytes), 0);
        final SegmentChannel reader = store.openReader(path);
        store.delete(path);
        assertEquals(null, store.openReader(path), "deleted: no new reader");
        assertEquals(null, store.takeSpare(), "a reader still has it: nothing reused yet");
        final ByteBuffer read = ByteBuffer.allocate(bytes.length);
        assertEquals(bytes.length, reader.readFully(read, 0));
        assertArrayEquals(bytes, read.array());
        reader.close();
        reader.close();    // idempotent
        int spares = 0;
        while (store.takeSpare() != null)
        {
            spares++;
        }
        assertEquals(3, spares, "the 1 MiB chunks of 3 MiB (64 KiB..512 KiB chunks are left to the GC)");
    }

    @Test
    void shouldKeepFreedChunksUpToTheLanesShareOfTheThreshold() throws java.io.IOException
    {
        final MemoryStore store = new MemoryStore(128L * 1024 * 1024);     // a 128 MiB share
        final byte[] chunk = new byte[1024 * 1024];
        final java.util.List<java.nio.file.Path> segments = new java.util.ArrayList<>();
        for (int s = 0; s < 2; s++)                                          // 2 segments of 100 MiB
        {
            final java.nio.file.Path path = java.nio.file.Path.of("c", s + ".avro");
            final MemoryChannel channel = store.create(path);
            for (int i = 0; i < 100; i++)
            {
                channel.write(ByteBuffer.wrap(chunk), (long)i * chunk.length);
            }
            segments.add(path);
        }
        segments.forEach(store::delete);                                    // one checkpoint frees both
        int spares = 0;
        while (store.takeSpare() != null)
        {
            spares++;
        }
        assertEquals(128, spares, "freed 1 MiB chunks kept for the lane's next segments: its share, no more");
        assertEquals(64, countSpares(new MemoryStore(0)), "a store with no share to speak of keeps 64 chunks, a default segment");
    }

    private static int countSpares(final MemoryStore store) throws java.io.IOException
    {
        final java.nio.file.Path path = java.nio.file.Path.of("c", "x.avro");
        final MemoryChannel channel = store.create(path);
        final byte[] chunk = new byte[1024 * 1024];
        for (int i = 0; i < 200; i++)
        {
            channel.write(ByteBuffer.wrap(chunk), (long)i * chunk.length);
        }
        store.delete(path);
        int spares = 0;
        while (store.takeSpare() != null)
        {
            spares++;
        }
        return spares;
    }
}
