package dev.spindle.bench.durable;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Peer: raw Chronicle Bytes ({@link ChronicleBytesWriter}, {@code MappedBytes.sync()} per MiB).
 */
public class PeerChronicleBytes extends ChronicleBenchmark
{
    @Override
    protected DurableWriter open(final Path dir, final int maxRecord) throws IOException
    {
        return new ChronicleBytesWriter(dir);
    }
}
