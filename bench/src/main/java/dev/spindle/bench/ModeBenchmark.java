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
 * Append throughput of one lane and one producer by {@code sync_mode} and {@code io_mode}: what each
 * durability level costs. The producer appends without waiting; the ring's back-pressure holds it to the
 * lane's pace. Every mode checkpoints at the acknowledged watermark every 65,536 appends, as an embedder does
 * once it has flushed what the log covers: {@code MemoryOnly} must (it keeps entries until a checkpoint frees
 * them), and the modes with files then overwrite freed segments (recycling) as they would in service. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is the allocation per append.
 *
 * <pre>
 *   bench/jmh modes                       # or: java -jar bench/target/benchmarks.jar ModeBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
@Threads(1)
public class ModeBenchmark
{
    private static final int CHECKPOINT_EVERY = 1 << 16;

    @Param({"Always", "PerBatch", "Periodic", "Never", "MemoryOnly"})
    public SyncMode syncMode;

    @Param({"pwrite", "mmap"})
    public IoMode ioMode;

    @Param({"256", "4096"})
    public int valueSize;

    private SpindleWriter writer;
    private final byte[] key = new byte[16];
    private byte[] value;
    private int sinceCheckpoint;

    @Setup(Level.Trial)
    public void open()
    {
        value = new byte[valueSize];
        writer = SpindleWriter.fresh("ModeBenchmark", b -> b.syncMode(syncMode).ioMode(ioMode));
    }

    @TearDown(Level.Trial)
    public void close()
    {
        writer.close();
    }

    @Benchmark
    public long append()
    {
        final long sequence = writer.appendEntry(key, value);
        if (++sinceCheckpoint == CHECKPOINT_EVERY)
        {
            sinceCheckpoint = 0;
            writer.collection().checkpoint(writer.collection().acknowledgedSequence());
        }
        return sequence;
    }
}
