package dev.spindle.fs.adls;

import dev.spindle.fs.BackendSetting;
import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.SettingException;
import dev.spindle.fs.SettingValues;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code [storage.wal_config.adls]} settings: what the section accepts ({@link #DECLARED}, the one list of its
 * keys) and one lane's values, checked at open, so a typo or a bad number fails start-up with the key and what is
 * accepted instead of surfacing as a 400 on the first upload. Secret values are never put in a message, a log line
 * or {@link #toString()}: an error names only the key.
 *
 * @param endpoint            blob service URL, or null for {@code https://{account}.blob.core.windows.net}.
 * @param connectionString    secret, or null.
 * @param sasToken            secret without a leading '?', or null.
 * @param accountKey          secret (base64), or null.
 * @param blockSizeBytes      staged block size for uploads above {@code singleUploadMaxBytes}.
 * @param maxConcurrency      blocks in flight per upload.
 * @param singleUploadMaxBytes largest upload sent as one Put Blob request.
 * @param listPageSize        keys per listing page (the service caps it at 5000).
 * @param createContainer     create the container at open if it is missing.
 */
record AdlsSettings(
    String endpoint,
    String connectionString,
    String sasToken,
    String accountKey,
    long blockSizeBytes,
    int maxConcurrency,
    long singleUploadMaxBytes,
    int listPageSize,
    boolean createContainer)
{
    static final String ENDPOINT = "endpoint";
    static final String CONNECTION_STRING = "connection_string";
    static final String SAS_TOKEN = "sas_token";
    static final String ACCOUNT_KEY = "account_key";
    static final String BLOCK_SIZE_BYTES = "block_size_bytes";
    static final String MAX_CONCURRENCY = "max_concurrency";
    static final String SINGLE_UPLOAD_MAX_BYTES = "single_upload_max_bytes";
    static final String LIST_PAGE_SIZE = "list_page_size";
    static final String CREATE_CONTAINER = "create_container";

    private static final long MIB = 1024 * 1024;

    /**
     * Every key of {@code [storage.wal_config.adls]} and of its per-account tables, in documentation order: one
     * section for adls://, abfs:// and abfss://, which name the same locations.
     */
    static final BackendSettings DECLARED = BackendSettings.of("adls",
        "Credentials are at most one of connection_string, sas_token and account_key, each only as a ${ENV} " +
        "reference; with none, DefaultAzureCredential (environment, workload or managed identity, Azure CLI)",
        BackendSetting.string(ENDPOINT, "Blob service URL (a query string is refused: it could hold a SAS token); " +
            "default: https://{account}.blob.core.windows.net"),
        BackendSetting.secret(CONNECTION_STRING, "a storage connection string (sets the endpoint and the credential)"),
        BackendSetting.secret(SAS_TOKEN, "a SAS token, with or without the leading '?'"),
        BackendSetting.secret(ACCOUNT_KEY, "the storage account key (base64)"),
        // service limits: Put Block takes at most 4000 MiB, Put Blob at most 5000 MiB
        BackendSetting.size(BLOCK_SIZE_BYTES, 8 * MIB, 64 * 1024, 4000 * MIB, "staged block size for large uploads"),
        BackendSetting.integer(MAX_CONCURRENCY, 4, 1, 64, "blocks in flight per upload"),
        BackendSetting.size(SINGLE_UPLOAD_MAX_BYTES, 16 * MIB, 1, 5000 * MIB, "larger objects are uploaded in blocks"),
        BackendSetting.integer(LIST_PAGE_SIZE, 1000, 1, 5000, "keys per listing request"),
        BackendSetting.bool(CREATE_CONTAINER, false, "create the container at open if it is missing"));

    /**
     * @throws SettingException naming {@code [storage.wal_config.adls] <key>} and what is accepted.
     */
    static AdlsSettings parse(final Map<String, String> settings)
    {
        final SettingValues values = DECLARED.parse(settings);
        final String connectionString = values.string(CONNECTION_STRING);
        final String sas = values.string(SAS_TOKEN);
        final String accountKey = values.string(ACCOUNT_KEY);
        if ((connectionString == null ? 0 : 1) + (sas == null ? 0 : 1) + (accountKey == null ? 0 : 1) > 1)
        {
            throw new SettingException("adls", accountKey != null ? ACCOUNT_KEY : SAS_TOKEN, "set at most one of " +
                "connection_string, sas_token and account_key (with none, DefaultAzureCredential is used)");
        }
        if (accountKey != null && !isBase64(accountKey))
        {
            throw values.invalid(ACCOUNT_KEY, "base64");
        }
        return new AdlsSettings(
            endpoint(values),
            connectionString,
            sas == null ? null : (sas.startsWith("?") ? sas.substring(1) : sas),
            accountKey,
            values.number(BLOCK_SIZE_BYTES),
            values.intValue(MAX_CONCURRENCY),
            values.number(SINGLE_UPLOAD_MAX_BYTES),
            values.intValue(LIST_PAGE_SIZE),
            values.bool(CREATE_CONTAINER));
    }

    /** @return which credential is used, for messages and logs (never the secret itself). */
    String credentialKind()
    {
        if (connectionString != null)
        {
            return CONNECTION_STRING;
        }
        if (sasToken != null)
        {
            return SAS_TOKEN;
        }
        return accountKey != null ? ACCOUNT_KEY : "DefaultAzureCredential";
    }

    @Override
    public String toString()
    {
        return "AdlsSettings[endpoint=" + endpoint + ", credential=" + credentialKind() + ", block_size_bytes=" +
            blockSizeBytes + ", max_concurrency=" + maxConcurrency + ", single_upload_max_bytes=" +
            singleUploadMaxBytes + ", list_page_size=" + listPageSize + ", create_container=" + createContainer + "]";
    }

    private static String endpoint(final SettingValues values)
    {
        final String value = values.string(ENDPOINT);
        if (value == null)
        {
            return null;
        }
        final String expected = "an http(s) URL of the blob service, e.g. https://{account}.blob.core.windows.net " +
            "or http://127.0.0.1:10000/devstoreaccount1 for Azurite";
        try
        {
            final URI uri = new URI(value);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getRawQuery() != null || uri.getRawFragment() != null)
            {
                throw new SettingException("adls", ENDPOINT, "must not have a query (put a SAS token in sas_token); " +
                    "expected " + expected);
            }
            if (("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null)
            {
                final String text = uri.toString();
                return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
            }
        }
        catch (final URISyntaxException ex)
        {
            // reported below
        }
        // the value is not repeated: a malformed query may still hold a SAS signature
        throw new SettingException("adls", ENDPOINT, "expected " + expected);
    }

    private static boolean isBase64(final String value)
    {
        try
        {
            return Base64.getDecoder().decode(value).length > 0;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
