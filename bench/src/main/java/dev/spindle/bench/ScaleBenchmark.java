package dev.spindle.bench;

import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Durable ({@code PerBatch}) append throughput of 1 KiB entries by lanes (1, 2, 4; all on the benchmark
 * directory's disk), collections per lane (1, 8, 64: a batch that touched K collections forces K files) and
 * producer threads (1, 2, 4: the methods {@code threads1}, {@code threads2}, {@code threads4}). Collections
 * are placed {@code RoundRobin} with affinity, touched in order, so every lane holds the same number; producer
 * {@code t} of {@code T} appends round-robin to collections {@code t, t+T, ..} (threads share collections when
 * there are fewer collections than threads). For scaling over separate disks, see {@code spindle bench --disks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ScaleBenchmark
{
    public static final int VALUE_BYTES = 1024;

    @Param({"1", "2", "4"})
    public int lanes;

    @Param({"1", "8", "64"})
    public int collectionsPerLane;

    private Path dir;
    private Wal wal;
    private WalCollection[] collections;

    @Setup(Level.Trial)
    public void open()
    {
        dir = BenchFiles.fresh("ScaleBenchmark-");
        final List<String> urls = new ArrayList<>();
        for (int l = 0; l < lanes; l++)
        {
            urls.add(dir.resolve("lane" + l).toString());
        }
        wal = Wal.open(WalOptions.builder().walUrls(urls).distributionStrategy(DistributionStrategy.RoundRobin)
            .collectionAffinity(true).build());
        collections = new WalCollection[lanes * collectionsPerLane];
        final Entry entry = new Entry().op(Op.INSERT).value(new byte[VALUE_BYTES]);
        for (int c = 0; c < collections.length; c++)
        {
            collections[c] = wal.collection("c" + c);
            collections[c].awaitAcknowledged(collections[c].append(entry));   // placed now: c on lane c % lanes
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        wal.close();
        BenchFiles.delete(dir);
    }

    /** One producer thread's collections and reusable entry. */
    @State(Scope.Thread)
    public static class Producer
    {
        private final Entry entry = new Entry();
        private final byte[] key = new byte[16];
        private final byte[] value = new byte[VALUE_BYTES];
        private WalCollection[] mine;
        private int next;

        @Setup(Level.Trial)
        public void pick(final ScaleBenchmark benchmark, final ThreadParams thread)
        {
            final WalCollection[] all = benchmark.collections;
            final int threads = thread.getThreadCount();
            final int index = thread.getThreadIndex();
            final List<WalCollection> picked = new ArrayList<>();
            for (int c = index % all.length; c < all.length; c += Math.max(threads, 1))
            {
                picked.add(all[c]);
                if (threads > all.length)
                {
                    break;
                }
            }
            mine = picked.toArray(new WalCollection[0]);
        }

        long append()
        {
            final WalCollection collection = mine[next];
            next = next + 1 == mine.length ? 0 : next + 1;
            entry.clear().op(Op.INSERT).key(key).value(value);
            return collection.append(entry);
        }
    }

    @Benchmark
    @Threads(1)
    public long threads1(final Producer producer)
    {
        return producer.append();
    }

    @Benchmark
    @Threads(2)
    public long threads2(final Producer producer)
    {
        return producer.append();
    }

    @Benchmark
    @Threads(4)
    public long threads4(final Producer producer)
    {
        return producer.append();
    }
}
