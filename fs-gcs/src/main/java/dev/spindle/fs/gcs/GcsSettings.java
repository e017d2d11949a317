package dev.spindle.fs.gcs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The validated settings of {@code [storage.wal_config.gcs]} (per-bucket overrides already merged by the
 * caller). Every key has a default, so an empty table means "Google's endpoint, application default
 * credentials". A bad key or value fails with the table and key in the message, because these errors reach
 * an operator reading a config file, not a programmer.
 */
final class GcsSettings
{
    static final String SECTION = "[storage.wal_config.gcs]";

    static final String ENDPOINT = "endpoint";
    static final String PROJECT_ID = "project_id";
    static final String CREDENTIALS = "credentials";
    static final String CHUNK_SIZE_BYTES = "chunk_size_bytes";
    static final String RESUMABLE_THRESHOLD_BYTES = "resumable_threshold_bytes";
    static final String LIST_PAGE_SIZE = "list_page_size";

    /** The accepted keys, in documentation order. */
    static final Set<String> KEYS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(ENDPOINT, PROJECT_ID,
        CREDENTIALS, CHUNK_SIZE_BYTES, RESUMABLE_THRESHOLD_BYTES, LIST_PAGE_SIZE)));

    /** GCS requires resumable chunks to be multiples of 256 KiB (all but the last). */
    static final int CHUNK_QUANTUM = 256 * 1024;
    static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
    /** Each upload buffers one chunk in memory: keep a typo from asking for gigabytes per upload. */
    static final int MAX_CHUNK_SIZE = 1024 * 1024 * 1024;
    static final long DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024;
    /** The JSON API returns at most 1000 objects per page. */
    static final int MAX_LIST_PAGE_SIZE = 1000;

    /** How the client authenticates. */
    enum Credentials
    {
        /** Application default credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, or the metadata server. */
        DEFAULT,
        /** No credentials at all: only for emulators and test servers. */
        NONE
    }

    private final String endpoint;
    private final String projectId;
    private final Credentials credentials;
    private final int chunkSize;
    private final long resumableThreshold;
    private final int listPageSize;

    private GcsSettings(final String endpoint, final String projectId, final Credentials credentials,
        final int chunkSize, final long resumableThreshold, final int listPageSize)
    {
        this.endpoint = endpoint;
        this.projectId = projectId;
        this.credentials = credentials;
        this.chunkSize = chunkSize;
        this.resumableThreshold = resumableThreshold;
        this.listPageSize = listPageSize;
    }

    /**
     * @throws IllegalArgumentException naming {@code [storage.wal_config.gcs] <key>} and what it accepts.
     */
    static GcsSettings parse(final Map<String, String> settings)
    {
        for (final String key : settings.keySet())
        {
            if (!KEYS.contains(key))
            {
                throw new IllegalArgumentException(SECTION + " " + key + ": unknown key; accepted keys: " +
                    String.join(", ", KEYS));
            }
        }
        return new GcsSettings(
            endpoint(settings.get(ENDPOINT)),
            projectId(settings.get(PROJECT_ID)),
            credentials(settings.get(CREDENTIALS)),
            (int)number(settings, CHUNK_SIZE_BYTES, DEFAULT_CHUNK_SIZE, CHUNK_QUANTUM, MAX_CHUNK_SIZE,
                "a multiple of 262144 (256 KiB) up to 1073741824 (1 GiB), e.g. 8388608 (8 MiB)"),
            number(settings, RESUMABLE_THRESHOLD_BYTES, DEFAULT_RESUMABLE_THRESHOLD, 0, Long.MAX_VALUE,
                "a number of bytes >= 0 (0: every upload is resumable)"),
            (int)number(settings, LIST_PAGE_SIZE, MAX_LIST_PAGE_SIZE, 1, MAX_LIST_PAGE_SIZE,
                "an integer from 1 to 1000"));
    }

    /** @return the endpoint URL, or null for Google's own. */
    String endpoint()
    {
        return endpoint;
    }

    /** @return the project id, or null to take it from the environment. */
    String projectId()
    {
        return projectId;
    }

    Credentials credentials()
    {
        return credentials;
    }

    int chunkSize()
    {
        return chunkSize;
    }

    long resumableThreshold()
    {
        return resumableThreshold;
    }

    int listPageSize()
    {
        return listPageSize;
    }

    private static String endpoint(final String value)
    {
        if (value == null)
        {
            return null;
        }
        final String trimmed = value.trim();
        try
        {
            final URI uri = new URI(trimmed);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            final String path = uri.getPath() == null ? "" : uri.getPath();
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null &&
                uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null &&
                (path.isEmpty() || path.equals("/")))
            {
                return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
            }
        }
        catch (final URISyntaxException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException(SECTION + " " + ENDPOINT + ": \"" + value + "\" is not a host URL; give " +
            "http(s)://host[:port] with no path, e.g. https://storage.googleapis.com");
    }

    private static String projectId(final String value)
    {
        if (value == null)
        {
            return null;
        }
        // loose on purpose: emulators take ids a real project could not have
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}"))
        {
            throw new IllegalArgumentException(SECTION + " " + PROJECT_ID + ": \"" + value + "\" is not a project " +
                "id; give letters, digits, '-', '.' or ':' (e.g. my-project-123), or leave it out to use the " +
                "environment's project");
        }
        return value;
    }

    private static Credentials credentials(final String value)
    {
        if (value == null)
        {
            return Credentials.DEFAULT;
        }
        switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "default":
                return Credentials.DEFAULT;
            case "none":
                return Credentials.NONE;
            default:
                // the value is not echoed: someone may have pasted a key here
                throw new IllegalArgumentException(SECTION + " " + CREDENTIALS + ": unknown value; accepted: " +
                    "\"default\" (application default credentials) or \"none\" (emulators and test servers only)");
        }
    }

    private static long number(final Map<String, String> settings, final String key, final long fallback,
        final long min, final long max, final String accepted)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return fallback;
        }
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(SECTION + " " + key + ": \"" + value + "\" is not an integer; give " +
                accepted, ex);
        }
        if (parsed < min || parsed > max || (key.equals(CHUNK_SIZE_BYTES) && parsed % CHUNK_QUANTUM != 0))
        {
            throw new IllegalArgumentException(SECTION + " " + key + ": " + parsed + " is out of range; give " +
                accepted);
        }
        return parsed;
    }

    @Override
    public String toString()
    {
        return "endpoint=" + (endpoint == null ? "Google" : endpoint) + ", project_id=" +
            (projectId == null ? "from the environment" : projectId) + ", credentials=" +
            credentials.name().toLowerCase(Locale.ROOT) + ", chunk_size_bytes=" + chunkSize +
            ", resumable_threshold_bytes=" + resumableThreshold + ", list_page_size=" + listPageSize;
    }
}
