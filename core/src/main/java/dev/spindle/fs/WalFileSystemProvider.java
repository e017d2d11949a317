package dev.spindle.fs;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * A backend, registered in {@code META-INF/services/dev.spindle.fs.WalFileSystemProvider}.
 */
public interface WalFileSystemProvider
{
    /**
     * @return the URL schemes this backend serves, lower case (e.g. {@code s3}).
     */
    Set<String> schemes();

    /**
     * Open the file system rooted at {@code url}.
     *
     * @param settings backend settings from {@code [storage.wal_config.<backend>]}, already ${ENV}-expanded.
     */
    WalFileSystem open(URI url, Map<String, String> settings) throws IOException;
}
