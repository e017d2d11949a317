package dev.spindle.bench;

import dev.spindle.wal.Entry;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.Op;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Appends to a durable ({@code PerBatch}) WAL on disk, for throughput and, with {@code -prof gc}, the
 * proof that an append allocates nothing ({@code gc.alloc.rate.norm} ≈ 0 B/op):
 *
 * <pre>
 *   ./mvnw -B -q -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar AppendBenchmark -prof gc
 * </pre>
 *
 * The benchmark thread appends without waiting (as a producer does); the ring's back-pressure holds
 * it to the rate at which the lane makes entries durable. {@code appendAndAwait} waits for each
 * entry: one producer's durable latency.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AppendBenchmark
{
    @Param({"pwrite", "mmap"})
    public IoMode ioMode;

    @Param({"256", "4096"})
    public int valueSize;

    private Path dir;
    private Wal wal;
    private WalCollection collection;

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        dir = Files.createTempDirectory(Path.of(System.getProperty("spindle.bench.dir", "data")).toAbsolutePath()
            .toFile().mkdirs() ? Path.of(System.getProperty("spindle.bench.dir", "data")) :
            Path.of(System.getProperty("spindle.bench.dir", "data")), "jmh-");
        wal = Wal.open(WalOptions.builder().walUrls(dir.resolve("lane0").toString()).ioMode(ioMode)
            .syncMode(SyncMode.PerBatch).build());
        collection = wal.collection("bench");
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        wal.close();
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Per-thread reusable entry: what an embedding application keeps. */
    @State(Scope.Thread)
    public static class Producer
    {
        final Entry entry = new Entry();
        final byte[] key = new byte[16];
        byte[] value;

        @Setup
        public void setup(final AppendBenchmark benchmark)
        {
            value = new byte[benchmark.valueSize];
        }
    }

    @Benchmark
    public long append(final Producer p)
    {
        p.entry.clear().op(Op.INSERT).key(p.key).value(p.value);
        return collection.append(p.entry);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long appendAndAwait(final Producer p)
    {
        p.entry.clear().op(Op.INSERT).key(p.key).value(p.value);
        final long sequence = collection.append(p.entry);
        collection.awaitAcknowledged(sequence);
        return sequence;
    }
}
