package dev.spindle.bench;

import dev.spindle.fs.Directories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the JMH benchmarks write: {@code -Dspindle.bench.dir=DIR} (default {@code ./data}), one fresh
 * directory per trial, removed at its end. Every writer of a run, Spindle and its peers, writes to the same
 * directory, so to the same disk.
 */
public final class BenchFiles
{
    public static final String DIR_PROPERTY = "spindle.bench.dir";

    private BenchFiles()
    {
    }

    /**
     * @return a new empty directory {@code <bench dir>/<prefix>NNN}.
     */
    public static Path fresh(final String prefix)
    {
        try
        {
            final Path base = Path.of(System.getProperty(DIR_PROPERTY, "data")).toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a benchmark directory under -D" + DIR_PROPERTY, ex);
        }
    }

    public static void delete(final Path dir)
    {
        try
        {
            Directories.deleteTree(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }
}
