package dev.spindle.bench.durable;

import dev.spindle.wal.IoMode;
import org.openjdk.jmh.annotations.Param;

import java.nio.file.Path;

/**
 * Spindle ({@link SpindleWriter}), with both of its write paths, checkpointed as it goes (segments recycled) and
 * never checkpointed (each segment a new file).
 */
public class SpindleDurable extends DurableBenchmark
{
    @Param({"pwrite", "mmap"})
    public IoMode ioMode;

    /** Checkpoint each 64 MiB appended, so freed segments are recycled; false: every segment is a new file. */
    @Param({"true", "false"})
    public boolean checkpointed;

    @Override
    protected DurableWriter open(final Path dir, final int maxRecord)
    {
        return new SpindleWriter(dir, ioMode, checkpointed);
    }
}
