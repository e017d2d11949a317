package dev.spindle.bench.durable;

import dev.spindle.bench.BenchFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The disk's own ceiling for durable 1 MiB commits, measured in the same run as the writers: one operation is
 * a positional 1 MiB write followed by {@code fdatasync} ({@code force(false)}).
 *
 * <ul>
 *   <li>{@code blocks = written}: into a 256 MiB file whose blocks were all written and synced beforehand,
 *       cycling through it. No journal commit for block allocation: no WAL on this disk commits 1 MiB faster.
 *       This is the ceiling the report divides by.</li>
 *   <li>{@code blocks = appended}: appending to new 64 MiB files, as a WAL without preallocation or recycling
 *       does; shown for reference.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
@Threads(1)
public class DiskCeiling
{
    public static final int COMMIT_BYTES = 1 << 20;
    private static final long WRITTEN_FILE_BYTES = 256L << 20;

    @Param({"written", "appended"})
    public String blocks;

    private Path dir;
    private FileChannel file;
    private ByteBuffer commit;
    private long position;
    private int fileIndex;

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        dir = BenchFiles.fresh("DiskCeiling-");
        commit = ByteBuffer.allocateDirect(COMMIT_BYTES);
        final byte[] random = new byte[COMMIT_BYTES];
        new SplittableRandom(1).nextBytes(random);
        commit.put(random).flip();
        file = next();
        if (blocks.equals("written"))
        {
            for (long p = 0; p < WRITTEN_FILE_BYTES; p += COMMIT_BYTES)
            {
                write(p);
            }
            file.force(true);
        }
        else if (!blocks.equals("appended"))
        {
            throw new IllegalArgumentException("blocks must be written or appended, not " + blocks);
        }
    }

    private FileChannel next() throws IOException
    {
        return FileChannel.open(dir.resolve(String.format("%020d.log", fileIndex++)), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
    }

    private void write(final long at) throws IOException
    {
        commit.clear();
        long p = at;
        while (commit.hasRemaining())
        {
            p += file.write(commit, p);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        file.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    public void commit() throws IOException
    {
        if (blocks.equals("written"))
        {
            write(position);
            position = (position + COMMIT_BYTES) % WRITTEN_FILE_BYTES;
        }
        else
        {
            write(position);
            position += COMMIT_BYTES;
            if (position >= DurableWriter.FILE_BYTES)
            {
                file.close();
                file = next();
                position = 0;
            }
        }
        file.force(false);
    }
}
