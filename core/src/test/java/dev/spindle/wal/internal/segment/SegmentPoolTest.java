package dev.spindle.wal.internal.segment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool of freed segments: what it keeps, what it refuses, what an earlier run left, and how a freed file
 * becomes a new segment (new header first, then the new name).
 */
class SegmentPoolTest
{
    @TempDir
    Path dir;

    private Path file(final String name, final int size) throws IOException
    {
        final Path p = dir.resolve(name);
        Files.write(p, new byte[size]);
        return p;
    }

    @Test
    void shouldKeepUpToItsCapacityAndRefuseSmallFiles() throws IOException
    {
        final SegmentPool pool = SegmentPool.open(dir, 3, 1000);
        assertNull(pool.offer(file("small.avro", 999), 999));
        assertTrue(Files.exists(dir.resolve("small.avro")), "a refused file is the caller's to delete");
        final Path a = pool.offer(file("a.avro", 1000), 1000);
        final Path b = pool.offer(file("b.avro", 2000), 2000);
        final Path c = pool.offer(file("c.avro", 2000), 2000);
        assertNull(pool.offer(file("d.avro", 2000), 2000), "3 kept, not the queue's power of two");
        assertEquals(0, pool.size(), "not takeable before the moves are published");
        assertNull(pool.take(dir.resolve("x.open"), new byte[]{1}));
        pool.publish(java.util.List.of(a, b));
        assertEquals(2, pool.size());
        assertTrue(Files.notExists(dir.resolve("a.avro")));
        assertEquals(3, WalFilesCount.of(dir.resolve(SegmentPool.DIRECTORY)));
        assertTrue(Files.exists(c));
    }

    @Test
    void shouldAdoptWhatAnEarlierRunLeftAndDeleteTheRest() throws IOException
    {
        final Path pool = Files.createDirectories(dir.resolve(SegmentPool.DIRECTORY));
        Files.write(pool.resolve("1.free"), new byte[1000]);
        Files.write(pool.resolve("7.free"), new byte[1000]);
        Files.write(pool.resolve("8.free"), new byte[10]);      // too small
        Files.write(pool.resolve("9.free"), new byte[1000]);    // past the capacity
        Files.write(pool.resolve("notes.txt"), new byte[1000]); // not ours
        final SegmentPool adopted = SegmentPool.open(dir, 2, 1000);
        assertEquals(2, adopted.size());
        assertTrue(Files.notExists(pool.resolve("8.free")));
        assertTrue(Files.exists(pool.resolve("notes.txt")));
        assertEquals(3, WalFilesCount.of(pool));
        // new names never collide with adopted ones
        adopted.take(dir.resolve("t.open"), new byte[]{1}).channel().close();
        assertEquals(pool.resolve("10.free"), adopted.offer(file("x.avro", 1000), 1000),
            "named after the highest name seen");
    }

    @Test
    void shouldDeleteWhatAnEarlierRunLeftWhenRecyclingIsOff() throws IOException
    {
        final Path pool = Files.createDirectories(dir.resolve(SegmentPool.DIRECTORY));
        Files.write(pool.resolve("3.free"), new byte[1000]);
        SegmentPool.discardLeftovers(dir);
        assertTrue(Files.notExists(pool.resolve("3.free")));
    }

    @Test
    void shouldNeverReplaceAnExistingFile() throws IOException
    {
        final SegmentPool pool = SegmentPool.open(dir, 1, 1);
        pool.publish(java.util.List.of(pool.offer(file("a.avro", 10), 10)));
        final Path existing = file("1.open", 5);
        assertThrows(IOException.class, () -> pool.take(existing, new byte[]{1}));
        assertEquals(5, Files.size(existing));
        assertEquals(1, pool.size(), "the freed file stays in the pool");
    }

    @Test
    void shouldWriteTheNewHeaderBeforeTheNewName() throws IOException
    {
        final SegmentPool pool = SegmentPool.open(dir, 1, 100);
        final byte[] old = new byte[4096];
        java.util.Arrays.fill(old, (byte)0x5a);
        final Path freed = dir.resolve("old.avro");
        Files.write(freed, old);
        pool.publish(java.util.List.of(pool.offer(freed, old.length)));
        final Path target = Files.createDirectories(dir.resolve("c")).resolve(SegmentNames.open(41));
        final byte[] header = {1, 2, 3, 4};
        final SegmentPool.Recycled recycled = pool.take(target, header);
        try
        {
            assertEquals(4096, recycled.size());
            final ByteBuffer head = ByteBuffer.allocate(5);
            recycled.channel().read(head, 0);
            assertArrayEquals(new byte[]{1, 2, 3, 4, 0x5a}, head.array(), "the header overwrites; the rest is old");
        }
        finally
        {
            recycled.channel().close();
        }
        assertTrue(Files.exists(target));
        assertEquals(0, pool.size());
        assertNull(pool.take(target.resolveSibling(SegmentNames.open(99)), header));
    }

    /** Counts regular files in a directory. */
    private static final class WalFilesCount
    {
        static long of(final Path d) throws IOException
        {
            try (var s = Files.list(d))
            {
                return s.filter(Files::isRegularFile).count();
            }
        }
    }
}
