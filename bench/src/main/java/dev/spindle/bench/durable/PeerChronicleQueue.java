package dev.spindle.bench.durable;

import java.nio.file.Path;

/**
 * Peer: Chronicle Queue ({@link ChronicleQueueWriter}, {@code appender.sync()} per MiB).
 */
public class PeerChronicleQueue extends ChronicleBenchmark
{
    @Override
    protected DurableWriter open(final Path dir, final int maxRecord)
    {
        return new ChronicleQueueWriter(dir);
    }
}
