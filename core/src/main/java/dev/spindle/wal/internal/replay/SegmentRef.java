package dev.spindle.wal.internal.replay;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.wal.internal.remote.RemoteChannel;
import dev.spindle.wal.internal.remote.RemoteListing;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.SegmentChannel;
import dev.spindle.wal.internal.segment.SegmentReader;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A segment to replay: where it is, how far it may be read, and the highest sequence to return from it.
 *
 * @param path the file (or the name in a {@link MemoryStore}; for a remote segment, where it was staged).
 * @param firstSequence the first sequence in it.
 * @param lastSequence the last sequence in it, when known from its name (sealed), else {@link Long#MAX_VALUE}.
 * @param limit read no block that ends after this offset ({@link Long#MAX_VALUE}: the whole file).
 * @param maxSequence return no entry above this sequence.
 * @param sealed true for a sealed segment (which must end exactly at a block boundary).
 * @param memory the store of a MemoryOnly lane, or null for a file on disk.
 * @param remote for a sealed segment of a remote lane, the object store that holds (or will hold) it: read from
 *     there when the staged copy is gone, also when it goes while the reader opens it (uploaded meanwhile).
 * @param remoteKey its key in {@code remote}.
 */
public record SegmentRef(Path path, long firstSequence, long lastSequence, long limit, long maxSequence,
                         boolean sealed, MemoryStore memory, WalFileSystem remote, String remoteKey)
{
    public SegmentRef(final Path path, final long firstSequence, final long lastSequence, final long limit,
        final long maxSequence, final boolean sealed, final MemoryStore memory)
    {
        this(path, firstSequence, lastSequence, limit, maxSequence, sealed, memory, null, null);
    }

    /**
     * @return this sealed segment, read from its staged copy while that exists, else from {@code fs} under its
     *     collection's key.
     */
    public SegmentRef inObjectStorage(final WalFileSystem fs, final String collection)
    {
        return new SegmentRef(path, firstSequence, lastSequence, limit, maxSequence, sealed, null, fs,
            RemoteListing.key(collection, path.getFileName().toString()));
    }

    /**
     * Open the segment for reading: a file, a segment of a MemoryOnly lane, or, for a remote lane, the staged
     * copy while it is there, else the object (the uploader deletes the copy once uploaded).
     *
     * @return null when the segment does not exist (sealed, freed by a checkpoint or uploaded meanwhile).
     */
    public SegmentReader openReader() throws IOException
    {
        try
        {
            if (memory != null)
            {
                final SegmentChannel channel = memory.openReader(path);
                return channel == null ? null : new SegmentReader(path, channel);
            }
            return new SegmentReader(path);
        }
        catch (final NoSuchFileException ex)
        {
            if (remote == null)
            {
                return null;
            }
        }
        try
        {
            return new SegmentReader(path, new RemoteChannel(remote, remoteKey));
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }
}
