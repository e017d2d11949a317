package dev.spindle.fs.local;

import dev.spindle.fs.Directories;
import dev.spindle.fs.WalFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@link WalFileSystem} over a local directory: an object store made of files, for tests, benchmarks and
 * single-machine setups that want the remote-lane path (staging, upload, listing) without a network. Local lanes
 * ({@code file://} or plain paths in {@code wal_urls}) do not use it: they write their segments in place.
 *
 * <p>A put is atomic and durable (temp file, fsync, rename, directory fsync) and idempotent: an existing key of the
 * same length is left alone, one of another length is an error. Keys map to paths under the root; a key that would
 * leave the root, or pass through a symbolic link, is refused. Stateless apart from its root: any thread may call
 * it for different keys at once.
 */
public final class LocalFileSystem implements WalFileSystem
{
    /** Keys per listing page by default, as S3 and GCS return. */
    static final int PAGE_SIZE = 1000;

    private final Path root;
    private final int pageSize;

    public LocalFileSystem(final Path root) throws IOException
    {
        this(root, PAGE_SIZE);
    }

    /**
     * @param pageSize keys per listing page (small ones let tests exercise paging).
     */
    public LocalFileSystem(final Path root, final int pageSize) throws IOException
    {
        if (pageSize < 1)
        {
            throw new IllegalArgumentException("page size " + pageSize + ": give at least 1");
        }
        this.root = root.toAbsolutePath().normalize();
        this.pageSize = pageSize;
        Files.createDirectories(this.root);
    }

    public Path root()
    {
        return root;
    }

    private Path resolve(final String key) throws IOException
    {
        final Path path = root.resolve(WalFileSystem.checkKey(key)).normalize();
        if (!path.startsWith(root) || path.equals(root))
        {
            throw new IllegalArgumentException("key " + key + " leaves the root " + root);
        }
        for (Path p = path.getParent(); p != null && !p.equals(root); p = p.getParent())
        {
            if (Files.isSymbolicLink(p))
            {
                throw new IOException("key " + key + " passes through the symbolic link " + p);
            }
        }
        return path;
    }

    @Override
    public boolean putIfAbsent(final String key, final Path source) throws IOException
    {
        final Path target = resolve(key);
        final long length = Files.size(source);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        {
            final long existing = Files.size(target);
            if (existing == length)
            {
                return false;
            }
            throw new FileAlreadyExistsException(target.toString(), null,
                "exists with " + existing + " bytes, the upload has " + length);
        }
        Directories.create(target.getParent());
        final Path tmp = target.resolveSibling(target.getFileName() + ".upload.tmp");
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
            FileChannel out = Directories.createFresh(tmp))
        {
            long copied = 0;
            while (copied < length)
            {
                copied += in.transferTo(copied, length - copied, out);
            }
            out.force(true);
        }
        try
        {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        Directories.fsync(target.getParent());
        return true;
    }

    @Override
    public int read(final String key, final long offset, final ByteBuffer destination) throws IOException
    {
        try (FileChannel channel = FileChannel.open(resolve(key), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            if (offset >= channel.size())
            {
                return -1;
            }
            int total = 0;
            while (destination.hasRemaining())
            {
                final int n = channel.read(destination, offset + total);
                if (n < 0)
                {
                    break;
                }
                total += n;
            }
            return total;
        }
    }

    @Override
    public long size(final String key) throws IOException
    {
        final Path path = resolve(key);
        try
        {
            final BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            return attrs.isRegularFile() ? attrs.size() : -1;
        }
        catch (final NoSuchFileException ex)
        {
            return -1;
        }
    }

    @Override
    public Page list(final String prefix, final String pageToken) throws IOException
    {
        final TreeSet<String> keys = new TreeSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs)
            {
                if (attrs.isRegularFile())
                {
                    final String key = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                    if (key.startsWith(prefix) && !key.endsWith(".upload.tmp") &&
                        (pageToken == null || key.compareTo(pageToken) > 0))
                    {
                        keys.add(key);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        final List<String> page = new ArrayList<>();
        for (final String key : keys)
        {
            if (page.size() == pageSize)
            {
                return new Page(page, page.get(page.size() - 1));
            }
            page.add(key);
        }
        return new Page(page, null);
    }

    @Override
    public void delete(final String key) throws IOException
    {
        final Path path = resolve(key);
        if (Files.deleteIfExists(path))
        {
            Directories.fsync(path.getParent());
        }
    }

    @Override
    public void close()
    {
        // nothing held open
    }
}
