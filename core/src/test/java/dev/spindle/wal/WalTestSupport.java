package dev.spindle.wal;

import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small helpers shared by the core tests: replaying into a list, listing segment files, reading the
 * sequences of one segment file block by block.
 */
public final class WalTestSupport
{
    private WalTestSupport()
    {
    }

    static List<WalRecord> replayAll(final WalCollection collection, final long from)
    {
        final List<WalRecord> records = new ArrayList<>();
        try (WalReplay replay = collection.replay(from))
        {
            replay.forEachRemaining(records::add);
        }
        return records;
    }

    static List<Long> sequences(final List<WalRecord> records)
    {
        return records.stream().map(WalRecord::sequence).collect(Collectors.toList());
    }

    static List<Long> range(final long fromInclusive, final long toInclusive)
    {
        final List<Long> list = new ArrayList<>();
        for (long s = fromInclusive; s <= toInclusive; s++)
        {
            list.add(s);
        }
        return list;
    }

    /**
     * @return the unsigned CRC32C of the UTF-8 bytes of {@code s}, as {@link CRC32C#getValue()} gives it.
     */
    static long crc32c(final String s)
    {
        final CRC32C crc = new CRC32C();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    static byte[] bytes(final int length, final long seed)
    {
        final byte[] b = new byte[length];
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte)x;
        }
        return b;
    }

    /**
     * @return the sub-directories of {@code dir} (collection directories of a lane), by name.
     */
    static List<String> directories(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir))
        {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                .collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the files of {@code dir} whose names end with {@code suffix}, sorted by name.
     */
    static List<Path> files(final Path dir, final String suffix)
    {
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir))
        {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static List<Path> sealed(final Path collectionDir)
    {
        return files(collectionDir, SegmentNames.SEALED_SUFFIX);
    }

    static List<Path> open(final Path collectionDir)
    {
        return files(collectionDir, SegmentNames.OPEN_SUFFIX);
    }

    /**
     * @return every path under {@code root} (files and directories, not root itself).
     */
    static List<Path> walk(final Path root)
    {
        if (!Files.exists(root))
        {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root))
        {
            return s.filter(p -> !p.equals(root)).sorted().collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Read every whole block of a segment file (sealed, or open up to its first end / invalid block)
     * and return the sequences of its entries in file order. Fails the test when a block is invalid
     * in a sealed file or when sequences do not strictly increase (the reader checks that itself).
     */
    static List<Long> segmentSequences(final Path file)
    {
        final boolean sealedFile = file.getFileName().toString().endsWith(SegmentNames.SEALED_SUFFIX);
        final List<Long> sequences = new ArrayList<>();
        try (SegmentReader reader = new SegmentReader(file))
        {
            final SegmentReader.Header header = reader.readHeader(null);
            long offset = header.length;
            long previous = 0;
            final SegmentReader.Block block = new SegmentReader.Block();
            while (true)
            {
                reader.readBlock(offset, reader.size(), previous, block);
                if (block.status == SegmentReader.Status.END)
                {
                    break;
                }
                if (block.status == SegmentReader.Status.INVALID)
                {
                    if (sealedFile)
                    {
                        fail(file + ": invalid block at " + block.problemOffset + ": " + block.problem);
                    }
                    break;
                }
                for (final WalRecord r : block.entries)
                {
                    sequences.add(r.sequence());
                    previous = r.sequence();
                }
                offset = block.nextOffset;
            }
            if (sealedFile)
            {
                assertEquals(reader.size(), offset, file + ": a sealed segment ends exactly after its last block");
            }
            assertTrue(sequences.isEmpty() || sequences.get(0) == header.firstSequence,
                file + ": first entry is the header's first sequence");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        for (int i = 1; i < sequences.size(); i++)
        {
            assertTrue(sequences.get(i) > sequences.get(i - 1), file + ": sequences strictly increase");
        }
        return sequences;
    }

    /**
     * Poll {@code condition} every 10 ms for up to {@code timeoutMillis}; fail with {@code message} if
     * it never holds. Only an upper bound against hanging, never a speed assertion.
     */
    public static void eventually(final long timeoutMillis, final String message, final BooleanSupplier condition)
    {
        eventually(timeoutMillis, () -> message, condition);
    }

    /**
     * Same, with the failure message built only when it fails (so it shows the state at the end).
     */
    public static void eventually(final long timeoutMillis, final java.util.function.Supplier<String> message,
        final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline >= 0)
            {
                fail(message.get() + " (not within " + timeoutMillis + " ms)");
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
