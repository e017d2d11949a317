package dev.spindle.bench;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Op;
import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.EntrySlot;
import dev.spindle.wal.internal.segment.EntryEncoder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The lane thread's per-entry CPU: Avro-encode one entry (32-char id, key, value) plus its CRC32C
 * into off-heap memory. PERF-NOTES.md measured about 87 ns for a 341-byte entry with a naive sink.
 *
 * <pre>
 *   java -jar bench/target/benchmarks.jar EncodeBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodeBenchmark
{
    @Param({"256", "4096"})
    public int valueSize;

    private final EntryEncoder encoder = new EntryEncoder(0x5EED);
    private final EntrySlot slot = new EntrySlot();
    private ByteBuffer memory;
    private final UnsafeBuffer window = new UnsafeBuffer(0, 0);
    private int position;

    @Setup
    public void setup()
    {
        final CollectionState collection = new CollectionState("orders", 1, true);
        final Entry entry = new Entry().op(Op.INSERT).key(new byte[16]).value(new byte[valueSize]);
        final long bound = EntrySlot.encodedBound(entry, collection.nameUtf8().length);
        slot.copy(entry, collection, 1, System.currentTimeMillis() * 1000, (int)bound, null);
        memory = BufferUtil.allocateDirectAligned(64 << 20, 4096);
        window.wrap(memory);
    }

    @Benchmark
    public int encode()
    {
        if (position > memory.capacity() - 2 * slot.encodedBound)
        {
            position = 0;
        }
        slot.sequence++;
        slot.globalSequence++;
        final int written = encoder.encode(slot, window, memory, position);
        position += written;
        return written;
    }
}
