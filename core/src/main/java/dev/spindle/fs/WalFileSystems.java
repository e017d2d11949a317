package dev.spindle.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds backends by URL scheme and knows which module serves which scheme, so a missing jar gives an
 * error that says what to add.
 */
public final class WalFileSystems
{
    /** Scheme to the Maven artifact that serves it. */
    public static final Map<String, String> MODULES = Map.of(
        "file", "spindle-fs-local",
        "s3", "spindle-fs-s3",
        "adls", "spindle-fs-adls",
        "abfs", "spindle-fs-adls",
        "abfss", "spindle-fs-adls",
        "gcs", "spindle-fs-gcs",
        "gs", "spindle-fs-gcs");

    private WalFileSystems()
    {
    }

    /**
     * @return the provider for {@code scheme} on the classpath, if any.
     */
    public static Optional<WalFileSystemProvider> provider(final String scheme)
    {
        final String wanted = scheme.toLowerCase(Locale.ROOT);
        for (final WalFileSystemProvider provider : ServiceLoader.load(WalFileSystemProvider.class))
        {
            if (provider.schemes().contains(wanted))
            {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }

    /**
     * @return every backend on the classpath, in the order the service loader finds them.
     */
    public static List<WalFileSystemProvider> providers()
    {
        final List<WalFileSystemProvider> providers = new ArrayList<>();
        ServiceLoader.load(WalFileSystemProvider.class).forEach(providers::add);
        return providers;
    }

    /**
     * @return true when Spindle knows the scheme (a backend module exists for it).
     */
    public static boolean isKnownScheme(final String scheme)
    {
        return MODULES.containsKey(scheme.toLowerCase(Locale.ROOT));
    }
}
