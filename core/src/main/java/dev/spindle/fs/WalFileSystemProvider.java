package dev.spindle.fs;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A backend, registered in {@code META-INF/services/dev.spindle.fs.WalFileSystemProvider} and found by URL scheme
 * through {@link java.util.ServiceLoader}. Besides opening file systems it declares its configuration: the name of
 * its section and every key it accepts, so that the configuration reader checks a file against the backends on
 * the classpath without knowing any of them, and the keys are written down once, here.
 */
public interface WalFileSystemProvider
{
    /**
     * @return the URL schemes this backend serves, lower case (e.g. {@code s3}).
     */
    Set<String> schemes();

    /**
     * @return the name of this backend's configuration section, {@code [storage.wal_config.<section>]}, which is
     *     also its key in {@code WalOptions.backendSettings()}: the one its {@link #settings()} name.
     */
    default String section()
    {
        return settings().section();
    }

    /**
     * @return the section and every setting the backend accepts, with type, default, documentation and which are
     *     secrets; by default {@linkplain BackendSettings#undeclared undeclared} (any key, checked only at open) in
     *     a section named after the scheme (the first in alphabetical order when it serves several).
     */
    default BackendSettings settings()
    {
        return BackendSettings.undeclared(new TreeSet<>(schemes()).first());
    }

    /**
     * Open the file system rooted at {@code url}.
     *
     * @param settings backend settings from {@code [storage.wal_config.<section>]}, overlaid with the table of the
     *     URL's bucket or account, already ${ENV}-expanded; parse them with {@link BackendSettings#parse}.
     */
    WalFileSystem open(URI url, Map<String, String> settings) throws IOException;
}
