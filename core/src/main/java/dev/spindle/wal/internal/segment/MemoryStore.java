package dev.spindle.wal.internal.segment;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "disk" of a {@code MemoryOnly} lane: segment names to in-memory channels. Checkpoints remove
 * sealed segments and so free their memory.
 */
public final class MemoryStore
{
    private final ConcurrentHashMap<Path, MemoryChannel> files = new ConcurrentHashMap<>();

    public MemoryChannel create(final Path path)
    {
        final MemoryChannel channel = new MemoryChannel();
        if (files.putIfAbsent(path, channel) != null)
        {
            throw new IllegalStateException("memory segment exists already: " + path);
        }
        return channel;
    }

    public MemoryChannel get(final Path path)
    {
        return files.get(path);
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
        files.remove(path);
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
