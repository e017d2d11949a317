package dev.spindle.fs.adls;

import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Serves Azure storage URLs: {@code adls://{account}.dfs.core.windows.net/{container}/{prefix}} and the Hadoop
 * form {@code abfs[s]://{container}@{account}.dfs.core.windows.net/{prefix}} (the same location; both schemes
 * use TLS unless {@code endpoint} says otherwise). Settings come from {@code [storage.wal_config.adls]}, merged by
 * the caller with the per-account table {@code [storage.wal_config.adls."account"]}.
 *
 * <p>Credentials: at most one of {@code connection_string}, {@code sas_token} and {@code account_key}; with none,
 * {@code DefaultAzureCredential} (environment, workload or managed identity, Azure CLI). Secrets belong in the
 * environment, referenced as {@code ${ENV}}, and never appear in messages.
 */
public final class AdlsFileSystemProvider implements WalFileSystemProvider
{
    private static final Logger LOG = LoggerFactory.getLogger(AdlsFileSystemProvider.class);

    @Override
    public Set<String> schemes()
    {
        return Set.of("adls", "abfs", "abfss");
    }

    @Override
    public BackendSettings settings()
    {
        return AdlsSettings.DECLARED;
    }

    /**
     * @throws IllegalArgumentException naming the URL or the {@code [storage.wal_config.adls]} key that is wrong.
     * @throws dev.spindle.fs.RemoteStorageException when {@code create_container} is set and the call fails.
     */
    @Override
    public WalFileSystem open(final URI url, final Map<String, String> settings) throws IOException
    {
        final AdlsLocation location = AdlsLocation.parse(url);
        final AdlsSettings parsed = AdlsSettings.parse(settings);
        final AdlsFileSystem fs = new AdlsFileSystem(location, parsed, AdlsClients.container(location, parsed));
        if (parsed.createContainer())
        {
            fs.createContainerIfMissing();
        }
        LOG.debug("opened {}", fs);
        return fs;
    }
}
