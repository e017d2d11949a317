package dev.spindle.wal.internal.lane;

import dev.spindle.fs.Directories;
import dev.spindle.wal.WalException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A lane's directory, held: created durably, and locked exclusively through {@code root/.lock} (which
 * records the holder's pid) while the WAL is open, so two processes never write the same lane. Opened
 * and released by the thread that opens and closes the WAL.
 */
final class LaneDirectory implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LaneDirectory.class);
    static final String LOCK_FILE = ".lock";

    private final Path root;
    private final FileChannel channel;
    private final FileLock lock;

    private LaneDirectory(final Path root, final FileChannel channel, final FileLock lock)
    {
        this.root = root;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Create {@code root} if needed and lock it.
     *
     * @throws WalException naming {@code wal_urls[index]} when another WAL holds it or it cannot be opened.
     */
    static LaneDirectory lock(final int index, final String url, final Path root)
    {
        try
        {
            if (!Directories.create(root))
            {
                // once per open: an earlier run may have died between creating a collection's directory here
                // and fsyncing this one; entries are acknowledged inside such directories from now on
                Directories.fsync(root);
            }
            // a link planted at the lock file's name is refused, never followed (the lock file is truncated)
            final FileChannel channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            FileLock acquired;
            try
            {
                acquired = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                acquired = null;
            }
            if (acquired == null)
            {
                channel.close();
                throw new WalException("wal_urls[" + index + "] " + url + " is in use by another Spindle WAL " +
                    "(" + root.resolve(LOCK_FILE) + " is locked); close it first");
            }
            try
            {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)), 0);
            }
            catch (final IOException ex)
            {
                channel.close();    // releases the lock too
                throw ex;
            }
            return new LaneDirectory(root, channel, acquired);
        }
        catch (final IOException ex)
        {
            throw new WalException("wal_urls[" + index + "] " + url + ": cannot open lane directory " + root + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * Release the lock. Idempotent.
     */
    @Override
    public void close()
    {
        try
        {
            if (lock.isValid())
            {
                lock.release();
            }
            channel.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot release {}", root.resolve(LOCK_FILE), ex);
        }
    }
}
