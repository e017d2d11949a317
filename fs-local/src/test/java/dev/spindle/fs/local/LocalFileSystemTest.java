package dev.spindle.fs.local;

import dev.spindle.fs.SettingException;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.WalFileSystemContract;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPI contract every backend runs, over a local directory, plus what is particular to files: symbolic links,
 * the error type of a conflicting put, and the default page size.
 */
class LocalFileSystemTest extends WalFileSystemContract
{
    private static WalFileSystemProvider provider()
    {
        return WalFileSystems.provider("file").orElseThrow();
    }

    @Override
    protected WalFileSystem open(final String prefix) throws Exception
    {
        return provider().open(tmp.resolve("store").resolve(prefix).toUri(),
            Map.of("list_page_size", Integer.toString(PAGE_SIZE)));
    }

    @Test
    void shouldBeFoundByItsSchemeThroughTheServiceLoader()
    {
        assertTrue(WalFileSystems.provider("file").isPresent());
        assertTrue(WalFileSystems.provider("FILE").isPresent());
        assertFalse(WalFileSystems.provider("s3").isPresent());
        assertEquals("file", provider().section());
        assertEquals(List.of("list_page_size"), provider().settings().keys());
    }

    @Test
    void shouldRefuseAnotherObjectUnderAnExistingKeyAsAnExistingFile() throws Exception
    {
        try (WalFileSystem fs = open("conflict"))
        {
            fs.putIfAbsent("c/k", file("one", 10, 1));
            assertThrows(FileAlreadyExistsException.class, () -> fs.putIfAbsent("c/k", file("two", 11, 2)));
        }
    }

    @Test
    void shouldListAThousandKeysAPageByDefault() throws Exception
    {
        try (WalFileSystem fs = provider().open(tmp.resolve("store").resolve("default").toUri(), Map.of()))
        {
            final Path source = file("tiny", 1, 3);
            for (int i = 0; i < 1001; i++)
            {
                fs.putIfAbsent(String.format("a/%05d", i), source);
            }
            final WalFileSystem.Page first = fs.list("a/", null);
            assertEquals(1000, first.keys().size());
            assertEquals(List.of("a/01000"), fs.list("a/", first.nextPageToken()).keys());
        }
    }

    @Test
    void shouldRefuseKeysThroughASymbolicLink() throws Exception
    {
        try (WalFileSystem fs = open("links"))
        {
            Files.createSymbolicLink(tmp.resolve("store").resolve("links").resolve("link"), tmp);
            assertThrows(IOException.class, () -> fs.putIfAbsent("link/evil", file("x", 1, 4)));
            assertFalse(Files.exists(tmp.resolve("evil")));
        }
    }

    @Test
    void shouldRefuseARelativeUrlAndABadPageSize()
    {
        assertThrows(IllegalArgumentException.class, () -> provider().open(URI.create("file:relative"), Map.of()));
        final SettingException bad = assertThrows(SettingException.class,
            () -> provider().open(tmp.resolve("x").toUri(), Map.of("list_page_size", "0")));
        assertEquals("list_page_size", bad.key());
    }
}
