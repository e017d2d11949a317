package dev.spindle.fs.adls;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The validated {@code [storage.wal_config.adls]} settings. Every key is checked at open, so a typo or a bad
 * number fails start-up with the key and what is accepted instead of surfacing as a 400 on the first upload.
 * Secret values are never put in a message, a log line or {@link #toString()}: an error names only the key.
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
    static final String SECTION = "[storage.wal_config.adls]";

    static final String ENDPOINT = "endpoint";
    static final String CONNECTION_STRING = "connection_string";
    static final String SAS_TOKEN = "sas_token";
    static final String ACCOUNT_KEY = "account_key";
    static final String BLOCK_SIZE_BYTES = "block_size_bytes";
    static final String MAX_CONCURRENCY = "max_concurrency";
    static final String SINGLE_UPLOAD_MAX_BYTES = "single_upload_max_bytes";
    static final String LIST_PAGE_SIZE = "list_page_size";
    static final String CREATE_CONTAINER = "create_container";

    static final Set<String> SECRETS = Set.of(CONNECTION_STRING, SAS_TOKEN, ACCOUNT_KEY);
    static final Set<String> KEYS = Set.of(ENDPOINT, CONNECTION_STRING, SAS_TOKEN, ACCOUNT_KEY, BLOCK_SIZE_BYTES,
        MAX_CONCURRENCY, SINGLE_UPLOAD_MAX_BYTES, LIST_PAGE_SIZE, CREATE_CONTAINER);

    private static final long MIB = 1024 * 1024;
    static final long DEFAULT_BLOCK_SIZE_BYTES = 8 * MIB;
    static final int DEFAULT_MAX_CONCURRENCY = 4;
    static final long DEFAULT_SINGLE_UPLOAD_MAX_BYTES = 16 * MIB;
    static final int DEFAULT_LIST_PAGE_SIZE = 1000;
    /** Service limits: Put Block takes at most 4000 MiB, Put Blob at most 5000 MiB. */
    private static final long MAX_BLOCK_BYTES = 4000 * MIB;
    private static final long MAX_SINGLE_UPLOAD_BYTES = 5000 * MIB;

    static AdlsSettings parse(final Map<String, String> settings)
    {
        for (final String key : settings.keySet())
        {
            if (!KEYS.contains(key))
            {
                throw invalid(key, "is not a setting; accepted: " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        final String connectionString = secret(settings, CONNECTION_STRING);
        final String sas = secret(settings, SAS_TOKEN);
        final String accountKey = secret(settings, ACCOUNT_KEY);
        final int secrets = (connectionString == null ? 0 : 1) + (sas == null ? 0 : 1) + (accountKey == null ? 0 : 1);
        if (secrets > 1)
        {
            throw new IllegalArgumentException(SECTION + " set at most one of connection_string, sas_token and " +
                "account_key (with none, DefaultAzureCredential is used)");
        }
        if (accountKey != null && !isBase64(accountKey))
        {
            throw invalid(ACCOUNT_KEY, "is not base64 (the value is not shown: it is a secret)");
        }
        return new AdlsSettings(
            endpoint(settings.get(ENDPOINT)),
            connectionString,
            sas == null ? null : (sas.startsWith("?") ? sas.substring(1) : sas),
            accountKey,
            number(settings, BLOCK_SIZE_BYTES, DEFAULT_BLOCK_SIZE_BYTES, 64 * 1024, MAX_BLOCK_BYTES),
            (int)number(settings, MAX_CONCURRENCY, DEFAULT_MAX_CONCURRENCY, 1, 64),
            number(settings, SINGLE_UPLOAD_MAX_BYTES, DEFAULT_SINGLE_UPLOAD_MAX_BYTES, 1, MAX_SINGLE_UPLOAD_BYTES),
            (int)number(settings, LIST_PAGE_SIZE, DEFAULT_LIST_PAGE_SIZE, 1, 5000),
            bool(settings, CREATE_CONTAINER));
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

    private static String secret(final Map<String, String> settings, final String key)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return null;
        }
        if (value.isBlank())
        {
            throw invalid(key, "is empty (if it is a ${ENV} reference, is the variable set?)");
        }
        return value.strip();
    }

    private static String endpoint(final String value)
    {
        if (value == null)
        {
            return null;
        }
        final String expected = "an http(s) URL of the blob service, e.g. https://{account}.blob.core.windows.net " +
            "or http://127.0.0.1:10000/devstoreaccount1 for Azurite";
        try
        {
            final URI uri = new URI(value.strip());
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getRawQuery() != null || uri.getRawFragment() != null)
            {
                throw invalid(ENDPOINT, "must not have a query (put a SAS token in sas_token); expected " + expected);
            }
            if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null)
            {
                throw invalid(ENDPOINT, "'" + value + "' is not " + expected);
            }
            final String text = uri.toString();
            return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        }
        catch (final URISyntaxException ex)
        {
            throw invalid(ENDPOINT, "'" + value + "' is not " + expected);
        }
    }

    private static long number(final Map<String, String> settings, final String key, final long fallback,
        final long min, final long max)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return fallback;
        }
        try
        {
            final long n = Long.parseLong(value.strip());
            if (n >= min && n <= max)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below
        }
        throw invalid(key, "'" + value + "' is not an integer from " + min + " to " + max + " (default " + fallback + ")");
    }

    private static boolean bool(final Map<String, String> settings, final String key)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT))
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "'" + value + "' is not true or false (default false)");
        };
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

    private static IllegalArgumentException invalid(final String key, final String why)
    {
        return new IllegalArgumentException(SECTION + " " + key + " " + why);
    }
}
