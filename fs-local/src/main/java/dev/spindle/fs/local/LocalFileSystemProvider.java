package dev.spindle.fs.local;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code file://} URLs: {@code file:///absolute/path}.
 */
public final class LocalFileSystemProvider implements WalFileSystemProvider
{
    @Override
    public Set<String> schemes()
    {
        return Set.of("file");
    }

    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings) throws IOException
    {
        if (!"file".equalsIgnoreCase(url.getScheme()) || url.getPath() == null || !url.getPath().startsWith("/"))
        {
            throw new IllegalArgumentException(url + " is not a file:///absolute/path URL");
        }
        return new LocalFileSystem(Path.of(url.getPath()));
    }
}
