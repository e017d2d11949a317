package dev.spindle.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a lane's sealed segments live: a local directory or an object store. Exactly the operations
 * Spindle needs and nothing else. Keys are relative, '/'-separated, and never contain "..": an
 * implementation must refuse any key that would leave its root.
 *
 * <p>Implementations are found by URL scheme through {@link WalFileSystemProvider} and
 * {@link java.util.ServiceLoader}, so an application pulls in only the backends it uses.
 */
public interface WalFileSystem extends AutoCloseable
{
    /** One page of a listing. */
    record Page(List<String> keys, String nextPageToken)
    {
        public boolean hasMore()
        {
            return nextPageToken != null;
        }
    }

    /**
     * Store the whole of {@code source} under {@code key}, idempotently: if {@code key} exists already
     * with the same length the call succeeds and changes nothing; if it exists with other content the
     * call fails, so a retried upload never overwrites a different object.
     *
     * @return true when this call created the object, false when it was there already.
     * @throws IOException on failure, or when a different object exists under {@code key}.
     */
    boolean putIfAbsent(String key, Path source) throws IOException;

    /**
     * Read up to {@code destination.remaining()} bytes of {@code key} from {@code offset}.
     *
     * @return bytes read, or -1 at or past the end.
     * @throws java.nio.file.NoSuchFileException when the key does not exist.
     */
    int read(String key, long offset, ByteBuffer destination) throws IOException;

    /**
     * @return the size of {@code key} in bytes, or -1 when it does not exist.
     */
    long size(String key) throws IOException;

    default boolean exists(final String key) throws IOException
    {
        return size(key) >= 0;
    }

    /**
     * List keys starting with {@code prefix}, in lexicographic order, a page at a time.
     *
     * @param pageToken null for the first page, else the previous page's token.
     */
    Page list(String prefix, String pageToken) throws IOException;

    /**
     * Delete {@code key}; deleting a missing key is not an error.
     */
    void delete(String key) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * @throws IllegalArgumentException when {@code key} is empty, absolute, or has an empty, "." or ".." part.
     */
    static String checkKey(final String key)
    {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.indexOf('\0') >= 0 || key.indexOf('\\') >= 0)
        {
            throw new IllegalArgumentException("invalid key: " + key);
        }
        for (final String part : key.split("/", -1))
        {
            if (part.isEmpty() || ".".equals(part) || "..".equals(part))
            {
                throw new IllegalArgumentException("invalid key (empty, '.' or '..' part): " + key);
            }
        }
        return key;
    }
}
