package dev.spindle.bench.durable;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Peer: the plain {@link FileChannelWriter} (buffer 1 MiB, write, {@code force(false)}).
 */
public class PeerFileChannel extends DurableBenchmark
{
    @Override
    protected DurableWriter open(final Path dir, final int maxRecord) throws IOException
    {
        return new FileChannelWriter(dir, maxRecord);
    }
}
