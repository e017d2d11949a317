package dev.spindle.fs.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code gcs://bucket/optional/prefix} and {@code gs://bucket/optional/prefix} URLs with the
 * {@code google-cloud-storage} JSON API client ({@link StorageOptions#http()}).
 *
 * <p>The client's own retries are kept short (three attempts within {@link #RETRY_TOTAL}) on purpose: Spindle's
 * uploader retries every failed put with its own backoff while the segment stays safe in local staging, and a
 * client that retried for minutes would only hide an outage from it.
 */
public final class GcsFileSystemProvider implements WalFileSystemProvider
{
    static final int MAX_ATTEMPTS = 3;
    static final Duration RETRY_TOTAL = Duration.ofSeconds(30);
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Longest silence while waiting for an answer, e.g. after sending a whole chunk. */
    static final int READ_TIMEOUT_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(GcsFileSystemProvider.class);

    @Override
    public Set<String> schemes()
    {
        return Set.of("gcs", "gs");
    }

    @Override
    public BackendSettings settings()
    {
        return GcsSettings.DECLARED;
    }

    /**
     * @throws IllegalArgumentException for a bad URL (naming it) or a bad setting (naming
     * {@code [storage.wal_config.gcs] <key>}).
     * @throws IOException when {@code credentials = "default"} and no application default credentials exist.
     */
    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings) throws IOException
    {
        final GcsLocation location = GcsLocation.parse(url);
        final GcsSettings parsed = GcsSettings.parse(settings);
        final Storage storage = client(parsed);
        LOG.info("GCS lane {} ({})", location, parsed);   // no secrets in either
        return new GcsFileSystem(storage, location, parsed);
    }

    static Storage client(final GcsSettings settings) throws IOException
    {
        final StorageOptions.Builder builder = StorageOptions.http()
            .setRetrySettings(RetrySettings.newBuilder()
                .setMaxAttempts(MAX_ATTEMPTS)
                .setInitialRetryDelayDuration(Duration.ofMillis(100))
                .setRetryDelayMultiplier(2.0)
                .setMaxRetryDelayDuration(Duration.ofSeconds(2))
                .setTotalTimeoutDuration(RETRY_TOTAL)
                .build())
            .setTransportOptions(HttpTransportOptions.newBuilder()
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setReadTimeout(READ_TIMEOUT_MS)
                .build());
        if (settings.endpoint() != null)
        {
            builder.setHost(settings.endpoint());
        }
        if (settings.projectId() != null)
        {
            builder.setProjectId(settings.projectId());
        }
        if (settings.credentials() == GcsSettings.Credentials.NONE)
        {
            builder.setCredentials(NoCredentials.getInstance());
        }
        else
        {
            builder.setCredentials(applicationDefaultCredentials());
        }
        return builder.build().getService();
    }

    /** Resolved here, not left to the client, which would silently go on unauthenticated without them. */
    private static GoogleCredentials applicationDefaultCredentials() throws IOException
    {
        try
        {
            return GoogleCredentials.getApplicationDefault();
        }
        catch (final IOException ex)
        {
            throw new IOException("[storage.wal_config.gcs] credentials = \"default\": no application default " +
                "credentials found (set GOOGLE_APPLICATION_CREDENTIALS to a key file, run `gcloud auth " +
                "application-default login`, or run on Google Cloud with a service account); " +
                "credentials = \"none\" is only for emulators and test servers", ex);
        }
    }
}
