package dev.spindle.fs.local;

import dev.spindle.fs.BackendSetting;
import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code file:///absolute/path} as an object store (see {@link LocalFileSystem}): what code that opens a
 * {@link WalFileSystem} by URL gets for a local directory. Local lanes of {@code wal_urls} never come here.
 */
public final class LocalFileSystemProvider implements WalFileSystemProvider
{
    static final String LIST_PAGE_SIZE = "list_page_size";

    /** The one key of {@code [storage.wal_config.file]}, which only code opening this backend directly reads. */
    private static final BackendSettings SETTINGS = BackendSettings.of("file", null,
        BackendSetting.integer(LIST_PAGE_SIZE, LocalFileSystem.PAGE_SIZE, 1, Integer.MAX_VALUE,
            "keys per listing page (local lanes never read it: they do not go through this backend)"));

    @Override
    public Set<String> schemes()
    {
        return Set.of("file");
    }

    @Override
    public BackendSettings settings()
    {
        return SETTINGS;
    }

    /**
     * @throws IllegalArgumentException for a URL that is not {@code file:///absolute/path}, or a bad setting.
     */
    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings) throws IOException
    {
        if (!"file".equalsIgnoreCase(url.getScheme()) || url.getPath() == null || !url.getPath().startsWith("/"))
        {
            throw new IllegalArgumentException(url + " is not a file:///absolute/path URL");
        }
        return new LocalFileSystem(Path.of(url.getPath()), SETTINGS.parse(settings).intValue(LIST_PAGE_SIZE));
    }
}
