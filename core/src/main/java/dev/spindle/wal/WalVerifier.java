package dev.spindle.wal;

import dev.spindle.wal.internal.offline.Verification;

import java.nio.file.Path;
import java.util.List;

/**
 * Checks every byte of a WAL (or of given segment files) and reports every finding rather than
 * stopping at the first: headers, block sizes, sync markers, CRC32C of every entry, sequences
 * (increasing in each file, matching the file names, continuous per collection across lanes).
 *
 * <p>A torn tail at the end of an active {@code .open} segment is the normal state after a crash and
 * is a {@link Severity#NOTE}; recovery cuts it. Anything else wrong is an {@link Severity#ERROR}.
 */
public final class WalVerifier
{
    public enum Severity
    {
        /** Corruption or a gap: data is wrong or missing. */
        ERROR,
        /** Worth knowing, not wrong (a torn tail, preallocated space, a file left alone). */
        NOTE
    }

    /**
     * @param offset byte offset in {@code file}, or -1 when the finding is about a whole collection.
     */
    public record Finding(Severity severity, Path file, long offset, String problem)
    {
        @Override
        public String toString()
        {
            return severity + " " + (file == null ? "" : file + (offset >= 0 ? " at byte " + offset : "") + ": ") +
                problem;
        }
    }

    /** The outcome: every finding, and how much was read. */
    public record Report(List<Finding> findings, long segments, long entries)
    {
        public boolean clean()
        {
            return findings.stream().noneMatch(f -> f.severity() == Severity.ERROR);
        }
    }

    private WalVerifier()
    {
    }

    /**
     * Verify every lane of a WAL (read only; no lock taken).
     */
    public static Report verify(final WalOptions options)
    {
        return Verification.verify(options);
    }

    /**
     * Verify the given segment files on their own.
     */
    public static Report verifySegments(final List<Path> files)
    {
        return Verification.verifySegments(files);
    }
}
