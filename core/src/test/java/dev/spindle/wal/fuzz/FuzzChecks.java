package dev.spindle.wal.fuzz;

import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import dev.spindle.wal.WalVerifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every fuzz target of core asserts about an outcome: an error names the file (or lane) and a byte offset
 * inside it, a finding of the verifier names a file of the lane, a replay gives increasing sequences. Anything
 * else that escapes a target (an IndexOutOfBoundsException, an OutOfMemoryError, a StackOverflowError, an
 * IOException) is a finding by itself.
 */
final class FuzzChecks
{
    /** Inputs above this are not run: a segment this big says nothing a smaller one does not. */
    static final int MAX_INPUT_BYTES = 256 * 1024;
    /** Per input (JUnit in regression runs, libFuzzer's -timeout when fuzzing): a slower input is a hang. */
    static final int INPUT_TIMEOUT_SECONDS = 10;

    private static final Path SHM = Path.of("/dev/shm");

    private FuzzChecks()
    {
    }

    /**
     * @return a new directory for the files of one fuzzing session: in memory ({@code /dev/shm}) where there is
     *     one, since an fsync of a real disk costs more than everything else an input does, else in
     *     {@code tempDir}. Delete it with {@link #deleteTree}.
     */
    static Path scratch(final Path tempDir) throws IOException
    {
        final boolean shm = Files.isDirectory(SHM) && Files.isWritable(SHM);
        return Files.createTempDirectory(shm ? SHM : tempDir, "spindle-fuzz-");
    }

    /**
     * An error must name {@code where} (a file, or the lane directory its file lies in); a corrupt segment's also
     * a byte offset in {@code [0, maxOffset]} (-1: any offset at or above 0).
     */
    static void namesFile(final WalException ex, final Path where, final long maxOffset)
    {
        final String message = ex.getMessage();
        assertNotNull(message, () -> "an error without a message: " + describe(ex));
        if (!message.contains(where.toString()))
        {
            fail("the error does not name " + where + ": " + describe(ex), ex);
        }
        if (ex instanceof CorruptSegmentException)
        {
            final CorruptSegmentException corrupt = (CorruptSegmentException)ex;
            assertNotNull(corrupt.file(), () -> "a corrupt segment without a file: " + describe(ex));
            assertTrue(corrupt.file().startsWith(where), () -> corrupt.file() + " is not in " + where);
            assertTrue(corrupt.offset() >= 0 && (maxOffset < 0 || corrupt.offset() <= maxOffset),
                () -> "byte offset " + corrupt.offset() + " is not in the file (0.." + maxOffset + "): " +
                    describe(ex));
        }
    }

    /** Every finding names a file in {@code root} (or none: a finding about a whole collection) and an offset. */
    static void findingsInside(final WalVerifier.Report report, final Path root)
    {
        for (final WalVerifier.Finding f : report.findings())
        {
            assertNotNull(f.severity(), () -> "finding without a severity: " + f);
            assertTrue(f.problem() != null && !f.problem().isBlank(), () -> "finding without a problem: " + f);
            assertTrue(f.file() == null || f.file().startsWith(root), () -> "finding outside " + root + ": " + f);
            assertTrue(f.offset() >= -1, () -> "finding with a negative offset: " + f);
            if (f.file() != null && f.offset() >= 0 && Files.isRegularFile(f.file()))
            {
                final long size = size(f.file());
                assertTrue(f.offset() <= size, () -> "finding past the end of its file (" + size + " bytes): " + f);
            }
        }
    }

    /**
     * Drain {@code replay}: sequences strictly increase, every entry is of {@code collection}, and when
     * {@code contiguousAbove} is not -1, no sequence above it is skipped.
     *
     * @return the last sequence (0: none).
     */
    static long drain(final WalReplay replay, final String collection, final long contiguousAbove)
    {
        return drain(replay, collection, contiguousAbove, new ArrayList<>());
    }

    /** {@link #drain(WalReplay, String, long)}, adding each sequence to {@code sequences}. */
    static long drain(final WalReplay replay, final String collection, final long contiguousAbove,
        final List<Long> sequences)
    {
        long previous = 0;
        while (replay.hasNext())
        {
            final WalRecord r = replay.next();
            assertNotNull(r, "replay gave null");
            assertTrue(collection.equals(r.collection()),
                () -> "replay of " + collection + " gave an entry of " + r.collection());
            final long p = previous;
            assertTrue(r.sequence() > p, () -> "sequence " + r.sequence() + " after " + p);
            if (contiguousAbove >= 0 && p > 0 && r.sequence() - 1 > Math.max(p, contiguousAbove))
            {
                fail("strict replay skipped sequences " + (Math.max(p, contiguousAbove) + 1) + ".." +
                    (r.sequence() - 1) + " above the checkpoint " + contiguousAbove);
            }
            previous = r.sequence();
            sequences.add(previous);
        }
        assertFalse(replay.hasNext());
        return previous;
    }

    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    private static String describe(final Throwable t)
    {
        return t.getClass().getName() + ": " + t.getMessage();
    }
}
