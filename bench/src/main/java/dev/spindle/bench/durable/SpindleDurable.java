package dev.spindle.bench.durable;

import dev.spindle.wal.IoMode;
import org.openjdk.jmh.annotations.Param;

import java.nio.file.Path;

/**
 * Spindle ({@link SpindleWriter}), with both of its write paths.
 */
public class SpindleDurable extends DurableBenchmark
{
    @Param({"pwrite", "mmap"})
    public IoMode ioMode;

    @Override
    protected DurableWriter open(final Path dir, final int maxRecord)
    {
        return new SpindleWriter(dir, ioMode);
    }
}
