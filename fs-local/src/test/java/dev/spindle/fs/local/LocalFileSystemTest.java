package dev.spindle.fs.local;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalFileSystemTest
{
    @TempDir
    Path dir;

    private WalFileSystem open() throws Exception
    {
        final WalFileSystemProvider provider = WalFileSystems.provider("file").orElseThrow();
        return provider.open(dir.resolve("store").toUri(), Map.of());
    }

    private Path file(final String name, final int size) throws Exception
    {
        final byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void shouldBeFoundByItsSchemeThroughTheServiceLoader()
    {
        assertTrue(WalFileSystems.provider("file").isPresent());
        assertTrue(WalFileSystems.provider("FILE").isPresent());
        assertFalse(WalFileSystems.provider("s3").isPresent());
    }

    @Test
    void shouldPutIdempotentlyAndReadRanges() throws Exception
    {
        try (WalFileSystem fs = open())
        {
            final Path source = file("seg", 10_000);
            assertTrue(fs.putIfAbsent("c/00000000000000000001-00000000000000000009.avro", source));
            assertFalse(fs.putIfAbsent("c/00000000000000000001-00000000000000000009.avro", source),
                "a retried upload of the same object succeeds without rewriting it");
            assertThrows(FileAlreadyExistsException.class,
                () -> fs.putIfAbsent("c/00000000000000000001-00000000000000000009.avro", file("other", 10)));
            assertEquals(10_000, fs.size("c/00000000000000000001-00000000000000000009.avro"));
            final ByteBuffer range = ByteBuffer.allocate(100);
            assertEquals(100, fs.read("c/00000000000000000001-00000000000000000009.avro", 5000, range));
            final byte[] expected = new byte[100];
            System.arraycopy(Files.readAllBytes(source), 5000, expected, 0, 100);
            assertArrayEquals(expected, range.array());
            assertEquals(-1, fs.read("c/00000000000000000001-00000000000000000009.avro", 10_000, ByteBuffer.allocate(1)));
            assertThrows(NoSuchFileException.class, () -> fs.read("c/missing", 0, ByteBuffer.allocate(1)));
            assertEquals(-1, fs.size("c/missing"));
        }
    }

    @Test
    void shouldListByPrefixInPages() throws Exception
    {
        try (WalFileSystem fs = open())
        {
            final Path source = file("tiny", 1);
            for (int i = 0; i < 2500; i++)
            {
                fs.putIfAbsent(String.format("a/%05d", i), source);
            }
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
            while (token != null);
            assertEquals(3, pages);
            assertEquals(2500, all.size());
            assertEquals("a/00000", all.get(0));
            assertEquals("a/02499", all.get(2499));
            fs.delete("a/00000");
            fs.delete("a/00000");
            assertFalse(fs.exists("a/00000"));
            assertEquals(List.of("b/other"), fs.list("b", null).keys());
        }
    }

    @Test
    void shouldRefuseKeysThatLeaveTheRoot() throws Exception
    {
        try (WalFileSystem fs = open())
        {
            final Path source = file("x", 1);
            for (final String key : List.of("../escape", "a/../../escape", "/etc/passwd", "a//b", "./a", "a/./b", "",
                "a\0b", "a\\b"))
            {
                assertThrows(IllegalArgumentException.class, () -> fs.putIfAbsent(key, source), key);
            }
            Files.createSymbolicLink(dir.resolve("store").resolve("link"), dir);
            assertThrows(java.io.IOException.class, () -> fs.putIfAbsent("link/evil", source));
            assertFalse(Files.exists(dir.resolve("evil")));
        }
    }
}
