package dev.spindle.wal.internal.segment;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

/**
 * The staging buffers of one lane's pwrite (and {@code MemoryOnly}) segments. A segment borrows a buffer
 * when it opens a block and gives it back once the block is written to its file ({@link PwriteSegment}):
 * readers read the file, never the buffer, so a written block needs no memory. A batch that touched K
 * collections holds K buffers until its commit; then they are all spares again. So the direct memory a lane
 * keeps follows how many blocks it has open at once, not how many collections it ever wrote (issue 10: each
 * collection used to keep {@code memory_flush_size_bytes + 64 KiB} until close).
 *
 * <p>Sizes. A new buffer is one page ({@link #FIRST_SIZE}); a block that needs more grows its buffer by
 * doubling, up to the standard size, {@code memory_flush_size_bytes + 64 KiB} (what a block reaches before
 * the batch writer closes it), or to exactly what a larger entry needs. A grown buffer goes back to the pool
 * like any other, so in steady state every block finds a spare of the size it needs: no allocation.
 *
 * <p>Bound. {@link #trim} (the lane's timer tick, about once a second) frees every spare beyond the most
 * buffers lent at once since the last trim, keeping at least {@link #IDLE_SPARES}, and frees every spare larger
 * than the standard size (one grown for a huge entry). An idle lane therefore keeps at most
 * {@code IDLE_SPARES} standard buffers (about 4.3 MiB at the default 1 MiB flush size) after two ticks; a busy one
 * keeps what its batches use. The memory is freed at once ({@link BufferUtil#free}), not when a GC runs: a
 * spare is held by nothing but this pool.
 *
 * <p>Lane thread only, no lock. {@link #close} (the closing thread, once the lane thread has stopped) only drops
 * the spares and leaves them to the garbage collector: should a lane thread have failed to stop, it could still
 * be writing into one.
 */
public final class StagingPool
{
    /** Size of a new buffer: one page. */
    public static final int FIRST_SIZE = 4096;
    /** Spares an idle lane keeps. */
    public static final int IDLE_SPARES = 4;
    /** The least time between two trims: spares unused for about this long are freed. */
    static final long TRIM_INTERVAL_NANOS = 500_000_000L;

    private static final int ALIGNMENT = 4096;
    private static final int LARGEST = Integer.MAX_VALUE / 2;

    private final int standardSize;
    private Buffer[] spares = new Buffer[16];
    private int spareCount;
    private int lent;
    private int peakLent;
    private long lastTrimNanos = System.nanoTime();

    /**
     * @param standardSize the size a buffer may grow to and still be kept: {@code memory_flush_size_bytes +
     *     64 KiB}, at most a segment.
     */
    public StagingPool(final long standardSize)
    {
        this.standardSize = roundUp((int)Math.max(FIRST_SIZE, Math.min(standardSize, LARGEST)));
    }

    /**
     * A buffer of the pool: the aligned memory a segment writes, and the allocation it is a slice of (what
     * {@link BufferUtil#free} needs).
     */
    static final class Buffer
    {
        final ByteBuffer memory;
        private final ByteBuffer allocation;

        private Buffer(final int capacity)
        {
            allocation = ByteBuffer.allocateDirect(capacity + ALIGNMENT);
            final int misalignment = (int)(BufferUtil.address(allocation) & (ALIGNMENT - 1));
            final int offset = misalignment == 0 ? 0 : ALIGNMENT - misalignment;
            allocation.limit(offset + capacity).position(offset);
            memory = allocation.slice();
            allocation.clear();
        }

        int capacity()
        {
            return memory.capacity();
        }
    }

    /**
     * @return a buffer for a new block: the last one given back, or a new one of {@link #FIRST_SIZE}.
     */
    Buffer take()
    {
        final Buffer buffer = spareCount > 0 ? pop() : new Buffer(Math.min(FIRST_SIZE, standardSize));
        if (++lent > peakLent)
        {
            peakLent = lent;
        }
        buffer.memory.clear();
        return buffer;
    }

    /**
     * The open block in {@code buffer} needs {@code need} bytes: swap it for a spare that large, or a new buffer
     * (twice as large, up to the standard size, or exactly {@code need} past it), with the first {@code keep}
     * bytes copied; {@code buffer} goes back to the pool.
     */
    Buffer grow(final Buffer buffer, final long need, final int keep)
    {
        if (need > LARGEST)
        {
            throw new IllegalStateException("a block of " + need + " bytes does not fit one staging buffer");
        }
        Buffer bigger = takeSpareOf((int)need);
        if (bigger == null)
        {
            final long doubled = Math.min((long)buffer.capacity() * 2, standardSize);
            bigger = new Buffer(roundUp((int)Math.max(need, doubled)));
        }
        bigger.memory.clear();
        bigger.memory.put(0, buffer.memory, 0, keep);
        push(buffer);
        return bigger;
    }

    /**
     * {@code buffer} holds no open block any more: it is a spare again.
     */
    void give(final Buffer buffer)
    {
        lent--;
        push(buffer);
    }

    /**
     * Lane thread, at its timer tick: free the spares not needed lately (see the class comment).
     */
    public void trim(final long nowNanos)
    {
        if (nowNanos - lastTrimNanos < TRIM_INTERVAL_NANOS)
        {
            return;
        }
        lastTrimNanos = nowNanos;
        final int keep = Math.max(IDLE_SPARES, peakLent - lent);
        peakLent = lent;
        int kept = 0;
        for (int i = 0; i < spareCount; i++)
        {
            final Buffer spare = spares[i];
            spares[i] = null;
            if (spare.capacity() > standardSize)
            {
                BufferUtil.free(spare.allocation);    // grown for a huge entry: not worth keeping
            }
            else
            {
                spares[kept++] = spare;
            }
        }
        final int excess = kept - keep;
        if (excess > 0)
        {
            // the most recently given back are at the top: keep those, free the oldest
            for (int i = 0; i < excess; i++)
            {
                BufferUtil.free(spares[i].allocation);
            }
            System.arraycopy(spares, excess, spares, 0, keep);
            java.util.Arrays.fill(spares, keep, kept, null);
            kept = keep;
        }
        spareCount = kept;
    }

    /**
     * The lane is closed: drop every spare (the garbage collector frees them).
     */
    public void close()
    {
        java.util.Arrays.fill(spares, null);
        spareCount = 0;
    }

    /** @return buffers waiting to be lent. */
    public int spares()
    {
        return spareCount;
    }

    /** @return bytes of the buffers waiting to be lent. */
    public long spareBytes()
    {
        long bytes = 0;
        for (int i = 0; i < spareCount; i++)
        {
            bytes += spares[i].capacity();
        }
        return bytes;
    }

    /** @return buffers lent to segments with an open block. */
    public int lent()
    {
        return lent;
    }

    private Buffer takeSpareOf(final int need)
    {
        for (int i = spareCount - 1; i >= 0; i--)
        {
            final Buffer spare = spares[i];
            if (spare.capacity() >= need)
            {
                System.arraycopy(spares, i + 1, spares, i, spareCount - i - 1);
                spares[--spareCount] = null;
                return spare;
            }
        }
        return null;
    }

    private Buffer pop()
    {
        final Buffer buffer = spares[--spareCount];
        spares[spareCount] = null;
        return buffer;
    }

    private void push(final Buffer buffer)
    {
        if (spareCount == spares.length)
        {
            spares = java.util.Arrays.copyOf(spares, spareCount * 2);
        }
        spares[spareCount++] = buffer;
    }

    private static int roundUp(final int size)
    {
        return (int)Math.min(LARGEST, ((long)size + ALIGNMENT - 1) & -ALIGNMENT);
    }
}
