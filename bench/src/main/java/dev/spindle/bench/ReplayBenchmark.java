package dev.spindle.bench;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Replay throughput: {@code dataMiB} of entries written once per trial to one collection (sealed 64 MiB
 * segments and a last one sealed on close), then replayed from sequence 1 to the end, again and again; every
 * entry's CRC32C is checked and its key and value handed to a blackhole. The files are in the page cache
 * (written just before): this is the CPU cost of reading, not the disk's. The secondary results
 * {@code entries} and {@code bytes} (of values) are per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
public class ReplayBenchmark
{
    @Param({"256", "4096"})
    public int valueSize;

    @Param({"256"})
    public int dataMiB;

    private Path dir;
    private Wal wal;
    private WalCollection collection;

    /** Entries and value bytes replayed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Replayed
    {
        public long entries;
        public long bytes;

        @Setup(Level.Iteration)
        public void reset()
        {
            entries = 0;
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void write()
    {
        dir = BenchFiles.fresh("ReplayBenchmark-");
        final WalOptions options = WalOptions.builder().walUrls(dir.resolve("lane0").toString()).build();
        try (Wal writer = Wal.open(options))
        {
            final WalCollection c = writer.collection("bench");
            final Entry entry = new Entry().op(Op.INSERT).key(new byte[16]).value(new byte[valueSize]);
            final long count = ((long)dataMiB << 20) / valueSize;
            for (long i = 0; i < count; i++)
            {
                c.append(entry);
            }
        }
        wal = Wal.open(options);
        collection = wal.collection("bench");
    }

    @TearDown(Level.Trial)
    public void close()
    {
        wal.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    public void replay(final Replayed replayed, final Blackhole hole)
    {
        try (WalReplay replay = collection.replay(1))
        {
            while (replay.hasNext())
            {
                final WalRecord record = replay.next();
                hole.consume(record.key());
                replayed.bytes += record.value().length;
                replayed.entries++;
            }
        }
    }
}
