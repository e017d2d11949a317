package dev.spindle.wal.internal.segment;

import dev.spindle.fs.Directories;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The few durable file-system steps everything else is built from: fsync a directory, write a small
 * file atomically (temp, fsync, rename, directory fsync), write a buffer fully at a position.
 */
public final class FileSync
{
    private FileSync()
    {
    }

    /**
     * Replace {@code target} with {@code content} so that after a crash it holds either the old or the
     * new content, never a mix: write a temp file, fsync it, rename it over the target, fsync the directory.
     *
     * @param target the file.
     * @param content its new bytes.
     * @throws IOException on failure.
     */
    public static void writeAtomically(final Path target, final byte[] content) throws IOException
    {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = Directories.createFresh(tmp))
        {
            writeFully(channel, ByteBuffer.wrap(content), 0);
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Directories.fsync(target.getParent());
    }


    /**
     * Write all remaining bytes of {@code buffer} at {@code position}.
     *
     * @param channel the file.
     * @param buffer the bytes, from position to limit; its position is advanced to its limit.
     * @param position the file offset.
     * @throws IOException on failure, including a full disk.
     */
    public static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    /**
     * Read exactly {@code buffer.remaining()} bytes at {@code position}, or fewer at end of file.
     *
     * @return the bytes read.
     */
    public static int readFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        return dev.spindle.wal.internal.segment.SegmentChannel.of(channel).readFully(buffer, position);
    }
}
