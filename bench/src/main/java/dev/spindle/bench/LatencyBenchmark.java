package dev.spindle.bench;

import dev.spindle.bench.durable.SpindleWriter;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.SyncMode;
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

import java.util.concurrent.TimeUnit;

/**
 * Append-to-durable latency of one producer that waits for each entry ({@code PerBatch}: one fsync per entry,
 * nothing else in flight), sampled by JMH (p50, p99, p99.9 in the report), measured two ways at the
 * acknowledgement itself:
 *
 * <ul>
 *   <li>{@code appendAsyncJoin}: {@code appendAsync} and wait on the future, which the lane thread completes
 *       right after the batch's fsync returns (the completion callback);</li>
 *   <li>{@code appendAndAwait}: {@code append} and {@code awaitAcknowledged}, which watches the collection's
 *       acknowledged watermark (spinning, then yielding, then parking up to 200 µs).</li>
 * </ul>
 *
 * For latency under load, at a chosen offered rate, use {@code spindle bench --rate N}: its watcher thread
 * records each entry's latency when the watermark passes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class LatencyBenchmark
{
    @Param({"pwrite", "mmap"})
    public IoMode ioMode;

    @Param({"256", "4096"})
    public int valueSize;

    private SpindleWriter writer;
    private final byte[] key = new byte[16];
    private byte[] value;

    @Setup(Level.Trial)
    public void open()
    {
        value = new byte[valueSize];
        writer = SpindleWriter.fresh("LatencyBenchmark", b -> b.syncMode(SyncMode.PerBatch).ioMode(ioMode));
    }

    @TearDown(Level.Trial)
    public void close()
    {
        writer.close();
    }

    @Benchmark
    public long appendAsyncJoin()
    {
        return writer.appendAsync(key, value).join();
    }

    @Benchmark
    public long appendAndAwait()
    {
        final long sequence = writer.appendEntry(key, value);
        writer.collection().awaitAcknowledged(sequence);
        return sequence;
    }
}
