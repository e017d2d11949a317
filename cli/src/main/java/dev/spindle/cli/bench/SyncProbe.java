package dev.spindle.cli.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The disk's own commit latency, measured in the same run as a benchmark so that a WAL latency can be read
 * against it: {@code commits} times, append 4 KiB to a fresh file in {@code dir} and {@code fdatasync} it
 * ({@code FileChannel.force(false)}), as a WAL appending to a new segment does. The file is removed.
 */
public final class SyncProbe
{
    public static final int COMMIT_BYTES = 4096;
    /** Commits of the probe printed beside a benchmark's latency: enough for a p99, a fraction of a second. */
    public static final int COMMITS = 200;

    private SyncProbe()
    {
    }

    /**
     * Probe the disk of {@code lane}, in the directory that holds it (the lane itself may not exist yet).
     *
     * @return microseconds per commit.
     */
    public static Histogram besideLane(final Path lane) throws IOException
    {
        final Path absolute = lane.toAbsolutePath();
        return measure(absolute.getParent() == null ? absolute : absolute.getParent(), COMMITS);
    }

    /**
     * @return microseconds per commit.
     */
    public static Histogram measure(final Path dir, final int commits) throws IOException
    {
        Files.createDirectories(dir);
        final Path file = Files.createTempFile(dir, "sync-probe-", ".tmp");
        final Histogram micros = new Histogram(60_000_000L, 3);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocateDirect(COMMIT_BYTES);
            long position = 0;
            for (int i = 0; i < commits; i++)
            {
                block.clear();
                block.putLong(0, i);
                final long start = System.nanoTime();
                while (block.hasRemaining())
                {
                    position += channel.write(block, position);
                }
                channel.force(false);
                micros.recordValue(Math.min(60_000_000L, (System.nanoTime() - start) / 1000));
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
        return micros;
    }
}
