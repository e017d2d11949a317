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
 *
 * <p>Each store's state is its own: a test takes a fresh store with {@link #serve(String)}, which routes
 * {@code mem://<bucket>/...} to it. The instance the service loader makes only routes a URL to the store serving
 * its bucket, so no state outlives the test that made it.
 */
public final class MemoryObjectStore implements WalFileSystemProvider
{
    /** Which store serves each bucket: the only static here, a routing table. */
    private static final Map<String, MemoryObjectStore> SERVING = new ConcurrentHashMap<>();

    /** Every object, by full key ({@code bucket/prefix/key}). */
    public final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    /** How many times each full key was created. */
    public final Map<String, AtomicInteger> creates = new ConcurrentHashMap<>();
    /** Uploads to fail with a retryable 503 before the next one succeeds. */
    public final AtomicInteger failNextPuts = new AtomicInteger();
    /** While set, uploads fail with a retryable 503 (the store is "down"). */
    public volatile boolean down;
    public final AtomicInteger failedPuts = new AtomicInteger();
    /** Settings the provider was last opened with. */
    public volatile Map<String, String> lastSettings = Map.of();
    public final Set<String> opened = ConcurrentHashMap.newKeySet();
    /** Called with the full key after each put that created an object (on the putting thread). */
    public volatile java.util.function.Consumer<String> afterCreate = key -> { };

    /** For the service loader: an instance that routes each URL to the store serving its bucket. */
    public MemoryObjectStore()
    {
    }

    /** @return a new, empty store serving {@code mem://<bucket>/...} from now on, in place of any earlier one. */
    public static MemoryObjectStore serve(final String bucket)
    {
        final MemoryObjectStore store = new MemoryObjectStore();
        SERVING.put(bucket, store);
        return store;
    }

    @Override
    public Set<String> schemes()
    {
        return Set.of("mem");
    }

    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings)
    {
        final MemoryObjectStore store = SERVING.get(url.getAuthority());
        if (store == null)
        {
            throw new IllegalArgumentException("no MemoryObjectStore serves " + url +
                ": call MemoryObjectStore.serve(\"" + url.getAuthority() + "\") first");
        }
        return store.openHere(url, settings);
    }

    private WalFileSystem openHere(final URI url, final Map<String, String> settings)
    {
        if (settings.containsKey("refuse"))
        {
            throw new IllegalArgumentException("[storage.wal_config.mem] refuse: refused on purpose");
        }
        lastSettings = settings;
        final String root = url.getAuthority() + (url.getPath() == null ? "" : url.getPath().replaceAll("/+$", ""));
        opened.add(root);
        return new Store(root + "/");
    }

    private final class Store implements WalFileSystem
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
            if (down || failNextPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
            {
                failedPuts.incrementAndGet();
                throw new RemoteStorageException("503 SlowDown for " + full, 503, true, null);
            }
            final byte[] bytes = Files.readAllBytes(source);
            final byte[] existing = objects.putIfAbsent(full, bytes);
            if (existing != null)
            {
                if (existing.length == bytes.length)
                {
                    return false;
                }
                throw new FileAlreadyExistsException(full);
            }
            creates.computeIfAbsent(full, k -> new AtomicInteger()).incrementAndGet();
            afterCreate.accept(full);
            return true;
        }

        @Override
        public int read(final String key, final long offset, final ByteBuffer destination) throws IOException
        {
            final byte[] bytes = objects.get(root + WalFileSystem.checkKey(key));
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
            final byte[] bytes = objects.get(root + WalFileSystem.checkKey(key));
            return bytes == null ? -1 : bytes.length;
        }

        @Override
        public Page list(final String prefix, final String pageToken)
        {
            final List<String> keys = new ArrayList<>();
            for (final String full : objects.tailMap(root + (pageToken == null ? prefix : pageToken), pageToken == null)
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
            objects.remove(root + WalFileSystem.checkKey(key));
        }

        @Override
        public void close()
        {
            // nothing held
        }
    }
}
