package dev.spindle.wal.internal.segment;

import dev.spindle.fs.Directories;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import dev.spindle.wal.internal.metrics.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The segment files of one local lane that a checkpoint freed, kept to be overwritten instead of deleted
 * (RocksDB's {@code recycle_log_file_num}): a new segment written into blocks that already exist needs no
 * block allocation, so its fdatasyncs need no journal commit (PERF-NOTES.md: 1.5 to 3 times faster on
 * these disks).
 *
 * <p>Freed files wait in {@code {lane}/.recycle/{n}.free}; no collection is named like that, and recovery
 * skips dot names. Any thread may {@link #offer} a file (a checkpoint's caller, or the lane thread) and,
 * once both directories are fsync'd, {@link #publish} it; only the lane thread {@link #take}s one. A file
 * is taken only after its move into the pool is durable: otherwise a power loss could bring back its old
 * sealed name over bytes a new life had begun to overwrite.
 *
 * <p>A recycled file holds its earlier life's bytes past what its new life wrote, blocks with valid CRCs
 * included. What tells the real end is the new header's fresh random sync marker: an old block ends with
 * the old marker, so readers and recovery see it as the end, never as entries. So that a file under a new
 * {@code .open} name never carries its old header, the new header is written and fdatasync'd <em>before</em>
 * the rename, and the directory is fsync'd after it (RocksDB PR 12403 is what goes wrong otherwise). Files
 * smaller than {@code minBytes} (sealed early by age or at close) are deleted, not kept.
 */
public final class SegmentPool
{
    /** The directory under a lane's root where freed segments wait. */
    public static final String DIRECTORY = ".recycle";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPool.class);
    /** One line per 10 s: a file system that refuses one reuse tends to refuse every one. */
    private final LogLimiter reuseLog = new LogLimiter();
    private static final Pattern NAME = Pattern.compile("[0-9]{1,18}\\.free");

    private final Path directory;
    private final int capacity;
    private final long minBytes;
    /** Files that may be taken; its capacity is a power of two, {@link #kept} is what bounds the pool. */
    private final ManyToOneConcurrentArrayQueue<Path> free;
    /** Files in the pool: moved there (published or not yet) and not taken. */
    private final AtomicInteger kept = new AtomicInteger();
    private final AtomicLong names = new AtomicLong();

    private SegmentPool(final Path directory, final int capacity, final long minBytes)
    {
        this.directory = directory;
        this.capacity = capacity;
        this.minBytes = minBytes;
        this.free = new ManyToOneConcurrentArrayQueue<>(Math.max(1, capacity));
    }

    /**
     * The pool of the lane at {@code laneRoot}, holding the freed files an earlier run left there (up to
     * {@code capacity}; the rest, and any too small, are deleted).
     *
     * @param capacity how many files to keep; 0 deletes what an earlier run left and keeps nothing.
     * @param minBytes the smallest file worth keeping.
     */
    public static SegmentPool open(final Path laneRoot, final int capacity, final long minBytes) throws IOException
    {
        final SegmentPool pool = new SegmentPool(laneRoot.resolve(DIRECTORY), capacity, minBytes);
        pool.adoptLeftovers();
        return pool;
    }

    private void adoptLeftovers() throws IOException
    {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS))
        {
            if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
            {
                throw new IOException(directory + " is not a directory: Spindle keeps freed segments there");
            }
            return;
        }
        boolean deleted = false;
        final java.util.List<Path> adopted = new java.util.ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                if (!NAME.matcher(name).matches())
                {
                    LOG.warn("{}: not a freed segment of Spindle's; left alone", file);
                    continue;
                }
                names.accumulateAndGet(Long.parseLong(name.substring(0, name.indexOf('.'))), Math::max);
                final BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
                if (attrs.isDirectory())
                {
                    LOG.warn("{}: a directory where Spindle keeps freed segments; left alone", file);
                }
                else if (attrs.isRegularFile() && attrs.size() >= minBytes && adopted.size() < capacity)
                {
                    adopted.add(file);
                }
                else
                {
                    Files.delete(file);
                    deleted = true;
                }
            }
        }
        if (deleted || !adopted.isEmpty())
        {
            Directories.fsync(directory);
        }
        if (!adopted.isEmpty())
        {
            // an earlier run may have died between moving a file here and fsyncing the directories: make the
            // moves durable before a new life overwrites the file (else power loss could bring back its old name)
            syncCollectionDirectories(directory.getParent());
            kept.addAndGet(adopted.size());
            publish(adopted);
        }
    }

    private static void syncCollectionDirectories(final Path laneRoot) throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(laneRoot))
        {
            for (final Path entry : entries)
            {
                if (CollectionNames.isValid(entry.getFileName().toString()) &&
                    Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS))
                {
                    Directories.fsync(entry);
                }
            }
        }
    }

    /**
     * Move the sealed file {@code file}, which a checkpoint freed, into the pool instead of deleting it. Any
     * thread. The file may be taken only once {@link #publish}ed, after the caller fsync'd {@code file}'s
     * directory and {@link #syncDirectory() this one}.
     *
     * @return the file's name in the pool; or null, having done nothing, when the pool is full or the file too
     *     small: delete it instead.
     */
    public Path offer(final Path file, final long size) throws IOException
    {
        if (size < minBytes)
        {
            return null;
        }
        if (kept.incrementAndGet() > capacity)
        {
            kept.decrementAndGet();
            return null;
        }
        try
        {
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS))
            {
                Directories.create(directory);
            }
            final Path target = directory.resolve(names.incrementAndGet() + ".free");
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            kept.decrementAndGet();
            return null;    // gone already: nothing to keep or delete
        }
        catch (final IOException | RuntimeException ex)
        {
            kept.decrementAndGet();
            throw ex;
        }
    }

    /**
     * Let the lane take the files {@link #offer} moved here, now that their moves are durable.
     */
    public void publish(final List<Path> moved)
    {
        for (final Path file : moved)
        {
            free.offer(file);    // never full: at most capacity files are kept
        }
    }

    /**
     * The moves of {@code moved} could not be made durable (the caller's fsync failed): they stay on disk for the
     * next open, which takes them up, and stop counting here.
     */
    public void unpublished(final List<Path> moved)
    {
        kept.addAndGet(-moved.size());
    }

    /**
     * fsync the pool's directory, so the moves of {@link #offer} survive power loss.
     */
    public void syncDirectory() throws IOException
    {
        if (Files.isDirectory(directory))
        {
            Directories.fsync(directory);
        }
    }

    /**
     * Turn a freed file into a new active segment's file. Lane thread only.
     *
     * @param target the new {@code .open} path.
     * @param header the new segment's header, with its fresh sync marker.
     * @return the file, open, with {@code header} written and synced, under {@code target} (directory
     *     fsync'd); or null when the pool is empty.
     */
    public Recycled take(final Path target, final byte[] header) throws IOException
    {
        if (free.isEmpty())
        {
            return null;
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IOException(target + " exists already: a new segment never replaces a file");
        }
        final Path file = free.poll();
        if (file == null)
        {
            return null;
        }
        kept.decrementAndGet();
        final FileChannel channel;
        final long size;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            size = channel.size();
        }
        catch (final IOException ex)
        {
            if (reuseLog.allow())
            {
                LOG.warn("{}: cannot reuse it ({}); creating a new segment file instead{}", file, ex.toString(),
                    reuseLog.suppressed());
            }
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignore)
            {
                // the next open deletes or takes it up
            }
            return null;
        }
        try
        {
            FileSync.writeFully(channel, ByteBuffer.wrap(header), 0);
            channel.force(false);    // the new header is on disk before the new name (see the class comment)
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            Directories.fsync(target.getParent());
            Directories.fsync(directory);
            return new Recycled(channel, size);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            Files.deleteIfExists(file);
            throw ex;
        }
    }

    /**
     * @return how many freed files may be taken now.
     */
    public int size()
    {
        return free.size();
    }

    /**
     * Delete the freed files an earlier run left under {@code laneRoot} ({@code recycle_segments = 0} now).
     */
    public static void discardLeftovers(final Path laneRoot) throws IOException
    {
        open(laneRoot, 0, Long.MAX_VALUE);
    }

    /**
     * A segment's file at its name with its header written: a freed file renamed and rewritten ({@link #take}), or
     * a new one (its size the header's).
     *
     * @param channel open for reading and writing.
     * @param size the file's length: its blocks exist up to there.
     */
    public record Recycled(FileChannel channel, long size)
    {
    }
}
