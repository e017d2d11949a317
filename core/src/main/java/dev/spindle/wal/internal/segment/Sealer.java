package dev.spindle.wal.internal.segment;

import dev.spindle.fs.Directories;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way a segment file becomes sealed, for the writer (both io modes) and for recovery: truncate to
 * the last whole block, force data and size, close, rename {@code first.open} to {@code first-last.avro}
 * atomically, fsync the directory so the rename survives power loss. A sealed file is never written again.
 *
 * <p>Design note: the order is what makes a sealed name a promise. The rename comes after the force, so a
 * name that says "sealed" never covers bytes that are not on disk; the directory fsync comes last, so after
 * a crash the file is either still {@code .open} (recovery scans and seals it) or sealed and whole.
 */
public final class Sealer
{
    private Sealer()
    {
    }

    /**
     * Seal a file whose channel is open: truncate, force, close, rename, directory fsync.
     *
     * @param channel the file's channel; closed afterwards.
     * @param length the bytes to keep.
     */
    public static void seal(final SegmentChannel channel, final long length, final Path openPath,
        final Path sealedPath) throws IOException
    {
        try
        {
            channel.truncate(length);
            channel.force(true);
        }
        finally
        {
            channel.close();
        }
        rename(openPath, sealedPath);
    }

    /**
     * Seal the {@code .open} file at {@code openPath} (recovery: no channel is open).
     */
    public static void seal(final Path openPath, final long length, final Path sealedPath) throws IOException
    {
        seal(SegmentChannel.of(FileChannel.open(openPath, StandardOpenOption.WRITE)), length, openPath, sealedPath);
    }

    /**
     * Put a temporary file, written and forced by the caller, in place under its sealed name.
     */
    public static void install(final Path temporary, final Path sealedPath) throws IOException
    {
        rename(temporary, sealedPath);
    }

    /**
     * Delete a segment file (an empty active segment, an empty recovered tail) and fsync its directory.
     */
    public static void delete(final Path file) throws IOException
    {
        Files.deleteIfExists(file);
        Directories.fsync(file.getParent());
    }

    private static void rename(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        Directories.fsync(to.getParent());
    }
}
