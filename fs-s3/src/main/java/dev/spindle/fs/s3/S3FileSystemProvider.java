package dev.spindle.fs.s3;

import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code s3://bucket/optional/prefix} URLs. The settings are those of {@code [storage.wal_config.s3]}
 * merged by the caller with the bucket's own table; {@link #settings()} declares the keys accepted, so
 * configuration validation can refuse an unknown key before anything is opened. Credentials are not settings: the
 * AWS SDK's default chain finds them.
 */
public final class S3FileSystemProvider implements WalFileSystemProvider
{
    @Override
    public Set<String> schemes()
    {
        return Set.of("s3");
    }

    @Override
    public BackendSettings settings()
    {
        return S3Settings.DECLARED;
    }
    /**
     * Check the URL and the settings, then build a client (no request is sent: a wrong endpoint or missing
     * credentials show at the first call).
     *
     * @throws IllegalArgumentException naming the URL, or {@code [storage.wal_config.s3] <key>}, when either is bad.
     */
    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings)
    {
        final S3Location location = S3Location.parse(url);
        final S3Settings parsed = S3Settings.parse(settings);
        return new S3FileSystem(parsed.newClient(), location, parsed.listPageSize, parsed.multipartThreshold);
    }
}
