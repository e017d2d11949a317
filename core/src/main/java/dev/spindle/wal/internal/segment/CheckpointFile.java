package dev.spindle.wal.internal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The checkpoint file of one collection in one lane, {@code <collection>/checkpoint}: one line of ASCII,
 * {@code spindle-checkpoint v1 sequence=N}. Every entry up to N is flushed by the application; segments
 * wholly at or below it may be deleted. Written atomically (temp file, fsync, rename, directory fsync), read
 * by recovery, the verifier and the offline reader. At most {@link #MAX_BYTES} bytes are ever read.
 */
public final class CheckpointFile
{
    /** The file's name in a collection directory. */
    public static final String NAME = "checkpoint";
    /** What an unreadable checkpoint file should have held, for error messages. */
    public static final String EXPECTED = "'spindle-checkpoint v1 sequence=N'";
    /** A checkpoint is a few dozen bytes; no more than this is read. */
    static final int MAX_BYTES = 128;
    private static final String PREFIX = "spindle-checkpoint v1 sequence=";

    private CheckpointFile()
    {
    }

    /**
     * Record durably that {@code sequence} is the checkpoint of the collection in {@code directory}.
     */
    public static void write(final Path directory, final long sequence) throws IOException
    {
        FileSync.writeAtomically(directory.resolve(NAME),
            (PREFIX + sequence + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @return the checkpoint in {@code file}, or -1 when the file does not hold one.
     */
    public static long read(final Path file) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(MAX_BYTES);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (bytes.hasRemaining() && channel.read(bytes) >= 0)
            {
                // read no more than MAX_BYTES
            }
        }
        return parse(new String(bytes.array(), 0, bytes.position(), StandardCharsets.ISO_8859_1));
    }

    /**
     * @return the checkpoint {@code text} holds, or -1.
     */
    static long parse(final String text)
    {
        final String line = text.trim();
        if (!line.startsWith(PREFIX))
        {
            return -1;
        }
        try
        {
            final long sequence = Long.parseLong(line.substring(PREFIX.length()).trim());
            return sequence >= 0 ? sequence : -1;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
