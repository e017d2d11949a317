package dev.spindle.wal.internal.replay;

import dev.spindle.wal.internal.segment.MemoryStore;

import java.nio.file.Path;

/**
 * A segment to replay: where it is, how far it may be read, and the highest sequence to return from it.
 *
 * @param path the file (or the name in a {@link MemoryStore}).
 * @param firstSequence the first sequence in it.
 * @param lastSequence the last sequence in it, when known from its name (sealed), else {@link Long#MAX_VALUE}.
 * @param limit read no block that ends after this offset ({@link Long#MAX_VALUE}: the whole file).
 * @param maxSequence return no entry above this sequence.
 * @param sealed true for a sealed segment (which must end exactly at a block boundary).
 * @param memory the store of a MemoryOnly lane, or null for a file on disk.
 */
public record SegmentRef(Path path, long firstSequence, long lastSequence, long limit, long maxSequence,
                         boolean sealed, MemoryStore memory)
{
}
