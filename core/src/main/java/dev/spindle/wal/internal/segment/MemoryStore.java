package dev.spindle.wal.internal.segment;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "disk" of a {@code MemoryOnly} lane: segment names to in-memory channels. Checkpoints remove
 * sealed segments and so free their memory: their 1 MiB chunks become spares that the lane thread's next
 * segments take before allocating, up to the lane's share of {@code global_flush_threshold} (at least 64 MiB);
 * the rest go to the garbage collector. Spares are not counted as held bytes (the lane reuses them before it
 * allocates), so a WAL holds at most the threshold in segments plus one share per lane in spares. Kept to 64 MiB, a checkpoint that freed several segments
 * sent most of them to the collector, and the lane then spent two thirds of its time having the kernel clear
 * fresh pages for new chunks (4 KiB entries, 256 MiB between checkpoints).
 */
public final class MemoryStore
{
    /** Spare chunks kept at least: 64 MiB, a default segment. */
    static final int MIN_SPARES = 64;

    private final ConcurrentHashMap<Path, MemoryChannel> files = new ConcurrentHashMap<>();
    private final ManyToOneConcurrentArrayQueue<ByteBuffer> spares;

    /**
     * @param keepBytes how much freed memory to keep for reuse: the lane's share of {@code global_flush_threshold}
     *     (at least 64 MiB).
     */
    public MemoryStore(final long keepBytes)
    {
        final long chunks = Math.max(MIN_SPARES, Math.min(keepBytes / MemoryChannel.MAX_CHUNK, 1 << 20));
        spares = new ManyToOneConcurrentArrayQueue<>(Integer.highestOneBit((int)chunks));    // its capacity exactly
    }

    /**
     * A new segment. Lane thread only.
     */
    public MemoryChannel create(final Path path)
    {
        final MemoryChannel channel = new MemoryChannel(this);
        if (files.putIfAbsent(path, channel) != null)
        {
            throw new IllegalStateException("memory segment exists already: " + path);
        }
        return channel;
    }

    /**
     * @return a reader of the segment at {@code path}, which must be closed; or null when there is none.
     */
    public SegmentChannel openReader(final Path path)
    {
        final MemoryChannel channel = files.get(path);
        return channel == null ? null : channel.openReader();
    }

    public void rename(final Path from, final Path to)
    {
        final MemoryChannel channel = files.remove(from);
        if (channel != null)
        {
            files.put(to, channel);
        }
    }

    public void delete(final Path path)
    {
        final MemoryChannel channel = files.remove(path);
        if (channel != null)
        {
            channel.delete();
        }
    }

    /** Lane thread: a spare 1 MiB chunk, or null. */
    ByteBuffer takeSpare()
    {
        return spares.poll();
    }

    /** Any thread: a chunk nobody reads or writes any more. */
    void giveSpare(final ByteBuffer chunk)
    {
        spares.offer(chunk);    // full: left to the garbage collector
    }

    /**
     * @return bytes of memory held by all segments.
     */
    public long footprint()
    {
        long total = 0;
        for (final MemoryChannel channel : files.values())
        {
            total += channel.footprint();
        }
        return total;
    }
}
