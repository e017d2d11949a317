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
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What every durable writer benchmark shares: one producer thread appending entries of a 16-byte key and a
 * {@code valueSize}-byte value (random bytes, the key's first 8 bytes the entry's number) to a writer opened
 * on a fresh directory per trial, deleted after. Operations per second are entries per second; the report
 * multiplies by {@code valueSize} for MB/s of values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
@Threads(1)
public abstract class DurableBenchmark
{
    public static final int KEY_BYTES = 16;

    @Param({"64", "256", "1024", "4096", "65536"})
    public int valueSize;

    private Path dir;
    private DurableWriter writer;
    private final byte[] key = new byte[KEY_BYTES];
    private byte[] value;
    private long appended;

    /**
     * @return the writer under test, on {@code dir}.
     */
    protected abstract DurableWriter open(Path dir, int maxRecord) throws IOException;

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        dir = BenchFiles.fresh(getClass().getSimpleName() + "-");
        value = new byte[valueSize];
        new SplittableRandom(valueSize).nextBytes(value);
        writer = open(dir, 4 + KEY_BYTES + valueSize);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        writer.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    public void append() throws IOException
    {
        final long n = ++appended;
        for (int i = 0; i < 8; i++)
        {
            key[i] = (byte)(n >>> (56 - 8 * i));
        }
        writer.append(key, value);
    }
}
