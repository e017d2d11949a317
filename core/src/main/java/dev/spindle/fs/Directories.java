package dev.spindle.fs;

import java.io.IOException;
import java.util.Comparator;
import java.util.stream.Stream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Directory operations every module shares: making entries durable (after a rename or a create, the new name
 * survives power loss only once its directory is fsynced) for local lanes and for backends that store objects
 * as files, creating a file new without following a link at its name, and the one recursive delete. Stateless.
 */
public final class Directories
{
    private Directories()
    {
    }

    /**
     * Make a directory's entries (creates, renames, deletes) durable.
     *
     * @throws IOException when the fsync fails: the caller must not report the change as durable.
     */
    public static void fsync(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * Create a directory and its missing parents, each made durable in its own parent.
     *
     * @return true when this call created it.
     */
    public static boolean create(final Path dir) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return false;
        }
        final Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
        {
            create(parent);
        }
        try
        {
            Files.createDirectory(dir);
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(dir))
            {
                throw ex;
            }
            return false;
        }
        if (parent != null)
        {
            fsync(parent);
        }
        return true;
    }

    /**
     * Create the file {@code file} new, for writing, in a directory Spindle owns: whatever lay at its name (a temp
     * file a crash left, or a symbolic link someone planted there) is deleted first, never followed, so no write
     * lands outside the directory.
     */
    public static FileChannel createFresh(final Path file) throws IOException
    {
        Files.deleteIfExists(file);
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Delete {@code root} and everything under it, deepest first; nothing when it does not exist. Symbolic
     * links are deleted, never followed.
     */
    /**
     * Read the first {@code max} bytes of {@code file} at most (never following a link): a small record whose
     * length is checked against what was read, never trusted from the file.
     *
     * @return those bytes as ISO-8859-1 text.
     */
    public static String readAtMost(final Path file, final int max) throws IOException
    {
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(max);
        try (FileChannel channel = FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
            java.nio.file.LinkOption.NOFOLLOW_LINKS))
        {
            while (bytes.hasRemaining() && channel.read(bytes) >= 0)
            {
                // no more than max
            }
        }
        return new String(bytes.array(), 0, bytes.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    public static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
