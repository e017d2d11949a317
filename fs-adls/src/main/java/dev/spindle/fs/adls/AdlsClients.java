package dev.spindle.fs.adls;

import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;

import java.time.Duration;

/**
 * Builds the Blob API client for a location. Blob, not DataLake: real ADLS Gen2 accounts serve the same data
 * through the Blob API (conditional Put Blob, ranged Get, flat listing), and Azurite, the emulator the tests run
 * against, serves only the blob endpoint, so one code path is both tested and used.
 *
 * <p>The SDK's own retries are kept short (3 tries, at most 2 s apart): Spindle's uploader retries with its own
 * backoff and keeps the data in staging meanwhile, so a long SDK retry loop would only hide an outage from it
 * and hold a lane's upload slot.
 */
final class AdlsClients
{
    static final int MAX_TRIES = 3;
    /** Per try: long enough for a {@code single_upload_max_bytes} Put Blob on a slow link, short enough to notice a hang. */
    static final Duration TRY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration RETRY_DELAY = Duration.ofMillis(200);
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(2);

    private AdlsClients()
    {
    }

    static BlobContainerClient container(final AdlsLocation location, final AdlsSettings settings)
    {
        final BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
            .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, MAX_TRIES, TRY_TIMEOUT, RETRY_DELAY,
                MAX_RETRY_DELAY, null));
        if (settings.connectionString() != null)
        {
            builder.connectionString(settings.connectionString());   // sets endpoint and credential
            if (settings.endpoint() != null)
            {
                builder.endpoint(settings.endpoint());
            }
        }
        else
        {
            builder.endpoint(settings.endpoint() != null ? settings.endpoint() : location.defaultEndpoint());
            if (settings.sasToken() != null)
            {
                builder.sasToken(settings.sasToken());
            }
            else if (settings.accountKey() != null)
            {
                builder.credential(new StorageSharedKeyCredential(location.account(), settings.accountKey()));
            }
            else
            {
                builder.credential(new DefaultAzureCredentialBuilder().build());
            }
        }
        return builder.buildClient().getBlobContainerClient(location.container());
    }
}
