package dev.spindle.wal.internal.segment;

import java.nio.file.Path;

/**
 * A sealed segment of one collection on one lane: immutable, named {@code first-last.avro}.
 *
 * @param path the file.
 * @param firstSequence first sequence in it.
 * @param lastSequence last sequence in it.
 * @param size bytes.
 */
public record SealedSegment(Path path, long firstSequence, long lastSequence, long size)
{
}
