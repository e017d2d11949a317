package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.spindle.wal.WalTestSupport.walk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 5 for collection names: they become directory names, so anything outside
 * {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}} (and {@code .}, {@code ..}) is refused before touching the disk.
 */
class CollectionNameTest
{
    @TempDir
    Path dir;

    static Stream<String> refusedNames()
    {
        return Stream.of(
            "a/b", "/abs", "../escape", "a/../../b", "..", ".", "", "a\0b", "\0", ".hidden", ".a", "-lead", "_lead",
            "a".repeat(300), "a".repeat(129), "a b", " a", "a ", "a\\b", "a\nb", "a:b", "caf\u00e9", "a*", "~",
            // URL-encoded separators and dots: names are never decoded, and % is not a name character
            "a%2Fb", "a%2fb", "%2e%2e", "..%2F..%2Fetc", "a%5Cb", "%00");
    }

    private Path lane()
    {
        return dir.resolve("lane");
    }

    /**
     * @return what lies under the lane, except its lock file.
     */
    private List<Path> laneContents()
    {
        // the lock, and the metrics the lane publishes (a view of it, not data): no collection's file
        return walk(lane()).stream().filter(p -> !p.getFileName().toString().equals(".lock") &&
                !p.getFileName().toString().equals(".spindle-stats"))
            .collect(Collectors.toList());
    }

    @ParameterizedTest
    @MethodSource("refusedNames")
    void shouldRefuseTheNameAndCreateNothingWhenItIsNotAValidCollectionName(final String name)
    {
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(lane().toString()).build()))
        {
            assertThrows(IllegalArgumentException.class, () -> wal.collection(name));
            assertThrows(IllegalArgumentException.class, () -> wal.append(name, new Entry().value(new byte[]{1})));
            assertThrows(IllegalArgumentException.class, () -> wal.appendAsync(name, new Entry().value(new byte[]{1})));
            assertThrows(IllegalArgumentException.class, () -> wal.replay(name, 1));
            assertThrows(IllegalArgumentException.class, () -> wal.checkpoint(name, 0));
            assertTrue(wal.collections().isEmpty(), "no collection was made: " + wal.collections());
            assertEquals(List.of(), laneContents(), "nothing was created on disk");
        }
        assertEquals(List.of(), laneContents(), "nothing was created on disk, not even at close");
        assertTrue(Files.notExists(dir.resolve("escape")) && Files.notExists(dir.resolve("b")) &&
            Files.notExists(dir.resolve("abs")), "nothing outside the lane either: " + walk(dir));
    }

    @Test
    void shouldRefuseTheNameWhenItIsNull()
    {
        try (Wal wal = Wal.open(WalOptions.builder().walUrls(lane().toString()).build()))
        {
            assertThrows(RuntimeException.class, () -> wal.collection(null));
            assertEquals(List.of(), laneContents());
        }
    }

    @Test
    void shouldAcceptAndStoreTheNameWhenItIsValid()
    {
        final List<String> names = List.of("a", "A-b_c.d", "x".repeat(128), "0", "9lives", "a..b", "trailing.",
            "Z-");
        final WalOptions options = WalOptions.builder().walUrls(lane().toString()).build();
        try (Wal wal = Wal.open(options))
        {
            for (final String name : names)
            {
                final WalCollection c = wal.collection(name);
                assertEquals(name, c.name());
                c.awaitAcknowledged(c.append(new Entry().value(name.getBytes())));
                assertTrue(Files.isDirectory(lane().resolve(name)), name + " has its directory in the lane");
            }
        }
        try (Wal wal = Wal.open(options))
        {
            assertEquals(names.stream().sorted().collect(Collectors.toList()), List.copyOf(wal.collections()));
            for (final String name : names)
            {
                try (WalReplay replay = wal.replay(name, 1))
                {
                    assertEquals(name, new String(replay.next().value()));
                }
            }
        }
    }
}
