package dev.spindle.bench.durable;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Peer: the plain {@link MappedBufferWriter} ({@code MappedByteBuffer.put}, {@code force(index, length)}).
 */
public class PeerMappedByteBuffer extends DurableBenchmark
{
    @Override
    protected DurableWriter open(final Path dir, final int maxRecord) throws IOException
    {
        return new MappedBufferWriter(dir);
    }
}
