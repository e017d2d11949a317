package dev.spindle.testkit;

import dev.spindle.fs.WalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link WalFileSystem} must do, run by each backend's test against a real server of its protocol.
 * A subclass opens a file system rooted at a fresh prefix for each call of {@link #open(String)}, with a
 * listing page size of {@link #PAGE_SIZE} so that paging is exercised with few keys.
 */
public abstract class WalFileSystemContract
{
    /** The listing page size subclasses configure ({@code list_page_size}). */
    public static final int PAGE_SIZE = 7;

    @TempDir
    protected Path tmp;

    /** Open a file system rooted at {@code prefix} (a fresh path under the test bucket). */
    protected abstract WalFileSystem open(String prefix) throws Exception;

    protected Path file(final String name, final int size, final long seed) throws IOException
    {
        final byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void shouldPutIdempotentlyAndRefuseADifferentObjectUnderTheSameKey() throws Exception
    {
        try (WalFileSystem fs = open("contract-put"))
        {
            final String key = "c/00000000000000000001-00000000000000000009.avro";
            final Path source = file("seg", 10_000, 1);
            assertTrue(fs.putIfAbsent(key, source));
            assertFalse(fs.putIfAbsent(key, source), "a retried upload of the same object succeeds, changes nothing");
            assertThrows(IOException.class, () -> fs.putIfAbsent(key, file("other", 10, 2)),
                "a different object under the same key is never overwritten");
            assertEquals(10_000, fs.size(key));
            assertTrue(fs.exists(key));
            assertArrayEquals(Files.readAllBytes(source), readAll(fs, key, 10_000));
        }
    }

    @Test
    void shouldReadRanges() throws Exception
    {
        try (WalFileSystem fs = open("contract-read"))
        {
            final Path source = file("seg", 100_000, 3);
            final byte[] bytes = Files.readAllBytes(source);
            fs.putIfAbsent("c/x.avro", source);
            final ByteBuffer range = ByteBuffer.allocate(1000);
            assertEquals(1000, fs.read("c/x.avro", 50_000, range));
            final byte[] expected = new byte[1000];
            System.arraycopy(bytes, 50_000, expected, 0, 1000);
            assertArrayEquals(expected, range.array());

            final ByteBuffer tail = ByteBuffer.allocateDirect(5000);
            assertEquals(10, fs.read("c/x.avro", 99_990, tail), "a read past the end returns what there is");
            assertEquals(-1, fs.read("c/x.avro", 100_000, ByteBuffer.allocate(1)));
            assertThrows(NoSuchFileException.class, () -> fs.read("c/missing", 0, ByteBuffer.allocate(1)));
            assertEquals(-1, fs.size("c/missing"));
            assertFalse(fs.exists("c/missing"));
        }
    }

    @Test
    void shouldPutAndReadBackALargeObject() throws Exception
    {
        try (WalFileSystem fs = open("contract-large"))
        {
            final int size = 24 * 1024 * 1024 + 12_345;   // several parts / chunks / blocks
            final Path source = file("big", size, 4);
            assertTrue(fs.putIfAbsent("c/big.avro", source));
            assertEquals(size, fs.size("c/big.avro"));
            assertArrayEquals(Files.readAllBytes(source), readAll(fs, "c/big.avro", size));
            assertFalse(fs.putIfAbsent("c/big.avro", source));
        }
    }

    @Test
    void shouldListByPrefixInPages() throws Exception
    {
        try (WalFileSystem fs = open("contract-list"))
        {
            final Path source = file("tiny", 1, 5);
            final int n = PAGE_SIZE * 3 + 2;
            for (int i = 0; i < n; i++)
            {
                fs.putIfAbsent(String.format("a/%05d", i), source);
            }
            fs.putIfAbsent("ab/other", source);
            fs.putIfAbsent("b/other", source);
            final List<String> all = new ArrayList<>();
            String token = null;
            int pages = 0;
            do
            {
                final WalFileSystem.Page page = fs.list("a/", token);
                all.addAll(page.keys());
                token = page.nextPageToken();
                pages++;
            }
            while (token != null && pages < 100);
            assertTrue(pages >= 4, "paged: " + pages + " pages");
            assertEquals(n, all.size());
            assertEquals("a/00000", all.get(0));
            assertEquals(String.format("a/%05d", n - 1), all.get(n - 1));
            assertEquals(List.of("b/other"), fs.list("b", null).keys());
            assertEquals(List.of(), fs.list("zzz/", null).keys());
        }
    }

    @Test
    void shouldKeepEachRootToItself() throws Exception
    {
        try (WalFileSystem one = open("contract-root-one");
            WalFileSystem two = open("contract-root-two"))
        {
            one.putIfAbsent("c/k", file("k", 3, 6));
            assertTrue(one.exists("c/k"));
            assertFalse(two.exists("c/k"));
            assertEquals(List.of(), two.list("", null).keys());
            assertEquals(List.of("c/k"), one.list("", null).keys(), "keys are listed relative to the root");
        }
    }

    @Test
    void shouldDeleteAndTolerateDeletingAMissingKey() throws Exception
    {
        try (WalFileSystem fs = open("contract-delete"))
        {
            fs.putIfAbsent("c/gone", file("g", 5, 7));
            fs.delete("c/gone");
            fs.delete("c/gone");
            fs.delete("c/never");
            assertFalse(fs.exists("c/gone"));
            assertEquals(List.of(), fs.list("c/", null).keys());
        }
    }

    @Test
    void shouldRefuseKeysThatLeaveTheRoot() throws Exception
    {
        try (WalFileSystem fs = open("contract-keys"))
        {
            final Path source = file("x", 1, 8);
            for (final String key : List.of("../escape", "a/../../escape", "/abs", "a//b", "./a", "a/./b", "",
                "a\0b", "a\\b"))
            {
                assertThrows(IllegalArgumentException.class, () -> fs.putIfAbsent(key, source), key);
                assertThrows(IllegalArgumentException.class, () -> fs.size(key), key);
                assertThrows(IllegalArgumentException.class, () -> fs.delete(key), key);
            }
        }
    }

    protected static byte[] readAll(final WalFileSystem fs, final String key, final int size) throws IOException
    {
        final ByteBuffer all = ByteBuffer.allocate(size);
        long offset = 0;
        while (all.hasRemaining())
        {
            final ByteBuffer chunk = all.slice();
            chunk.limit(Math.min(chunk.remaining(), 4 * 1024 * 1024));
            final int n = fs.read(key, offset, chunk);
            if (n <= 0)
            {
                break;
            }
            all.position(all.position() + n);
            offset += n;
        }
        return all.array();
    }
}
