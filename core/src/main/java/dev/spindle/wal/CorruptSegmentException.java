package dev.spindle.wal;

import java.nio.file.Path;

/**
 * A segment file holds bytes that are not a valid Spindle segment at a place where valid data was
 * expected (not a torn tail). Names the file and the byte offset.
 */
public final class CorruptSegmentException extends WalException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CorruptSegmentException(final Path file, final long offset, final String problem)
    {
        super(file + " at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /**
     * @return the segment file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return the byte offset in the file where the problem starts.
     */
    public long offset()
    {
        return offset;
    }
}
