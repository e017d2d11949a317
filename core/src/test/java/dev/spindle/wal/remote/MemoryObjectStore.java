package dev.spindle.wal.remote;

import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the filesystem SPI (not of any SDK), registered for the scheme {@code mem}: objects live in
 * this JVM's memory, keyed by bucket/prefix/key, with switches to fail or hold uploads. The core tests use it to
 * pin the uploader's logic deterministically; each real backend is tested against a real server in its module.
 */
public final class MemoryObjectStore implements WalFileSystemProvider
{
    /** Every object, by full key ({@code bucket/prefix/key}). */
    public static final ConcurrentSkipListMap<String, byte[]> OBJECTS = new ConcurrentSkipListMap<>();
    /** How many times each full key was created. */
    public static final Map<String, AtomicInteger> CREATES = new ConcurrentHashMap<>();
    /** Uploads to fail with a retryable 503 before the next one succeeds. */
    public static final AtomicInteger FAIL_NEXT_PUTS = new AtomicInteger();
    /** While set, uploads fail with a retryable 503 (the store is "down"). */
    public static volatile boolean down;
    public static final AtomicInteger FAILED_PUTS = new AtomicInteger();
    /** Settings the provider was last opened with. */
    public static volatile Map<String, String> lastSettings = Map.of();
    public static final Set<String> OPENED = ConcurrentHashMap.newKeySet();

    public static void reset()
    {
        OBJECTS.clear();
        CREATES.clear();
        FAIL_NEXT_PUTS.set(0);
        FAILED_PUTS.set(0);
        down = false;
        OPENED.clear();
    }

    @Override
    public Set<String> schemes()
    {
        return Set.of("mem");
    }

    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings)
    {
        if (settings.containsKey("refuse"))
        {
            throw new IllegalArgumentException("[storage.wal_config.mem] refuse: refused on purpose");
        }
        lastSettings = settings;
        final String root = url.getAuthority() + (url.getPath() == null ? "" : url.getPath().replaceAll("/+$", ""));
        OPENED.add(root);
        return new Store(root + "/");
    }

    private static final class Store implements WalFileSystem
    {
        private final String root;

        Store(final String root)
        {
            this.root = root;
        }

        @Override
        public boolean putIfAbsent(final String key, final Path source) throws IOException
        {
            final String full = root + WalFileSystem.checkKey(key);
            if (down || FAIL_NEXT_PUTS.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
            {
                FAILED_PUTS.incrementAndGet();
                throw new RemoteStorageException("503 SlowDown for " + full, 503, true, null);
            }
            final byte[] bytes = Files.readAllBytes(source);
            final byte[] existing = OBJECTS.putIfAbsent(full, bytes);
            if (existing != null)
            {
                if (existing.length == bytes.length)
                {
                    return false;
                }
                throw new FileAlreadyExistsException(full);
            }
            CREATES.computeIfAbsent(full, k -> new AtomicInteger()).incrementAndGet();
            return true;
        }

        @Override
        public int read(final String key, final long offset, final ByteBuffer destination) throws IOException
        {
            final byte[] bytes = OBJECTS.get(root + WalFileSystem.checkKey(key));
            if (bytes == null)
            {
                throw new NoSuchFileException(key);
            }
            if (offset >= bytes.length)
            {
                return -1;
            }
            final int n = (int)Math.min(destination.remaining(), bytes.length - offset);
            destination.put(bytes, (int)offset, n);
            return n;
        }

        @Override
        public long size(final String key)
        {
            final byte[] bytes = OBJECTS.get(root + WalFileSystem.checkKey(key));
            return bytes == null ? -1 : bytes.length;
        }

        @Override
        public Page list(final String prefix, final String pageToken)
        {
            final List<String> keys = new ArrayList<>();
            for (final String full : OBJECTS.tailMap(root + (pageToken == null ? prefix : pageToken), pageToken == null)
                .keySet())
            {
                if (!full.startsWith(root + prefix))
                {
                    break;
                }
                if (keys.size() == 3)
                {
                    return new Page(keys, keys.get(2));
                }
                keys.add(full.substring(root.length()));
            }
            return new Page(keys, null);
        }

        @Override
        public void delete(final String key)
        {
            OBJECTS.remove(root + WalFileSystem.checkKey(key));
        }

        @Override
        public void close()
        {
            // nothing held
        }
    }
}
