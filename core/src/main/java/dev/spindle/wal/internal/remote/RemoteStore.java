package dev.spindle.wal.internal.remote;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.remote.LaneUrls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.net.URI;
import java.util.Locale;

/**
 * Opens the {@link WalFileSystem} of a remote {@code wal_urls} entry through its backend, found by scheme with
 * {@link java.util.ServiceLoader}, with the settings of its {@code [storage.wal_config.<backend>]} section
 * overlaid by the table of its bucket or account.
 */
public final class RemoteStore
{
    private RemoteStore()
    {
    }

    /**
     * @throws WalException naming {@code wal_urls[index]} when no backend serves the scheme (and which module
     *     does), when the backend refuses the URL or a setting, or when it cannot connect.
     */
    public static WalFileSystem open(final int index, final String url, final WalOptions options)
    {
        final String scheme = url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT);
        final WalFileSystemProvider provider = WalFileSystems.provider(scheme).orElseThrow(() -> new WalException(
            "wal_urls[" + index + "] = \"" + url + "\": no backend for " + scheme + ":// on the classpath; add the " +
            "module dev.spindle:" + WalFileSystems.MODULES.get(scheme)));
        final String backend = LaneUrls.backend(url);
        try
        {
            return provider.open(URI.create(url), options.backendSettings(backend, LaneUrls.target(url)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": cannot open the " + backend +
                " backend: " + ex.getMessage(), ex);
        }
    }

    /** A remote lane's store, open, and what it held when listed. */
    public record Listed(WalFileSystem fs, RemoteListing listing) implements AutoCloseable
    {
        @Override
        public void close() throws IOException
        {
            fs.close();
        }
    }

    /**
     * Open the store of {@code wal_urls[index]} and list what it holds (segment paths given under
     * {@code stagingRoot}); the store is closed again when the listing fails.
     *
     * @param notes receives one line per object the listing ignored.
     */
    public static Listed openListed(final int index, final String url, final WalOptions options,
        final Path stagingRoot, final List<String> notes) throws IOException
    {
        final WalFileSystem fs = open(index, url, options);
        try
        {
            return new Listed(fs, RemoteListing.list(fs, url, stagingRoot, notes));
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                fs.close();
            }
            catch (final IOException | RuntimeException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }
}
