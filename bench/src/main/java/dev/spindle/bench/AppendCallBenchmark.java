package dev.spindle.bench;

import dev.spindle.bench.durable.SpindleWriter;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WaitStrategy;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the append call itself costs the caller, below saturation: one producer appends {@code rate} entries a
 * second, paced before each call (the pacing is a per-invocation setup, outside the sampled time), and JMH samples
 * each call ({@code SampleTime}: p50, p99, p99.9 in the report). The peer is Chronicle Queue's appender, one
 * excerpt per entry, with Chronicle's default store (no sync): the cheapest call Chronicle offers. By Chronicle's
 * design the caller's thread also maps each new chunk of the queue file and takes its page faults; Spindle's
 * caller copies into a preallocated ring and its lane thread does the file work. Spindle's call
 * returns once the entry is in the lane's ring; its durability comes later, from the lane thread. What the call
 * costs depends on how the lane thread waits ({@code wait_strategy}), and so on how often it is idle (the sync
 * mode): {@code blocking} wakes a parked lane thread, {@code backoff} seldom finds it parked,
 * {@code sleeping} never wakes it.
 *
 * <p>Every 65,536 entries the setup checkpoints Spindle's collection, as an embedder does, so MemoryOnly stays
 * within its memory bound and files are recycled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
@Threads(1)
public class AppendCallBenchmark
{
    private static final int CHECKPOINT_EVERY = 1 << 16;

    /** {@code chronicle}, or Spindle's {@code sync_mode} with its {@code wait_strategy} after a slash. */
    @Param({"chronicle", "PerBatch/blocking", "Never/blocking", "MemoryOnly/blocking", "PerBatch/backoff",
        "Never/backoff", "MemoryOnly/backoff", "PerBatch/sleeping", "Never/sleeping", "MemoryOnly/sleeping"})
    public String writer;

    @Param({"256"})
    public int valueSize;

    /** Appends per second. */
    @Param({"50000"})
    public int rate;

    private final byte[] key = new byte[16];
    private byte[] value;
    private long interval;
    private long next;
    private long appended;
    private SpindleWriter spindle;
    private Path chronicleDir;
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;

    @Setup(Level.Trial)
    public void open()
    {
        value = new byte[valueSize];
        interval = 1_000_000_000L / rate;
        next = System.nanoTime();
        if (writer.equals("chronicle"))
        {
            chronicleDir = BenchFiles.fresh("AppendCallBenchmark-chronicle-");
            queue = SingleChronicleQueueBuilder.binary(chronicleDir).build();
            appender = queue.createAppender();
            return;
        }
        final String[] parts = writer.split("/");
        final SyncMode syncMode = SyncMode.valueOf(parts[0]);
        final WaitStrategy waitStrategy = WaitStrategy.valueOf(parts[1]);
        spindle = SpindleWriter.fresh("AppendCallBenchmark", b -> b.syncMode(syncMode).waitStrategy(waitStrategy));
    }

    /** Wait for this call's turn; never catch up in a burst after falling behind. Not sampled. */
    @Setup(Level.Invocation)
    public void pace()
    {
        long now = System.nanoTime();
        while (next - now > 0)
        {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
        next = now + interval;    // the loop ends at next or later: after a late call, never a burst
        if (spindle != null && ++appended % CHECKPOINT_EVERY == 0)
        {
            spindle.collection().checkpoint(spindle.collection().acknowledgedSequence());
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        if (spindle != null)
        {
            spindle.close();
        }
        if (queue != null)
        {
            appender.close();
            queue.close();
            BenchFiles.delete(chronicleDir);
        }
    }

    @Benchmark
    public long append()
    {
        if (spindle != null)
        {
            return spindle.appendEntry(key, value);
        }
        try (DocumentContext document = appender.writingDocument())
        {
            final Bytes<?> bytes = document.wire().bytes();
            bytes.write(key);
            bytes.write(value);
        }
        return 0;
    }
}
