package dev.spindle.fs.gcs;

import dev.spindle.fs.BackendSetting;
import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.SettingValues;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of {@code [storage.wal_config.gcs]}: what the section accepts ({@link #DECLARED}, the one list of its
 * keys) and one lane's values (per-bucket overrides already merged by the caller). Every key has a default, so an
 * empty table means "Google's endpoint, application default credentials". A bad key or value fails with the table
 * and key in the message, because these errors reach an operator reading a config file, not a programmer.
 */
final class GcsSettings
{
    static final String ENDPOINT = "endpoint";
    static final String PROJECT_ID = "project_id";
    static final String CREDENTIALS = "credentials";
    static final String CHUNK_SIZE_BYTES = "chunk_size_bytes";
    static final String RESUMABLE_THRESHOLD_BYTES = "resumable_threshold_bytes";
    static final String LIST_PAGE_SIZE = "list_page_size";

    /** GCS requires resumable chunks to be multiples of 256 KiB (all but the last). */
    static final int CHUNK_QUANTUM = 256 * 1024;
    static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
    /** Each upload buffers one chunk in memory: keep a typo from asking for gigabytes per upload. */
    static final int MAX_CHUNK_SIZE = 1024 * 1024 * 1024;
    static final long DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024;
    /** The JSON API returns at most 1000 objects per page. */
    static final int MAX_LIST_PAGE_SIZE = 1000;

    /**
     * Every key of {@code [storage.wal_config.gcs]} and of its per-bucket tables, in documentation order: one
     * section for gcs:// and gs://, which name the same buckets.
     */
    static final BackendSettings DECLARED = BackendSettings.of("gcs",
        "Credentials are application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, the " +
        "metadata server); credentials = \"none\" only for emulators and test servers",
        BackendSetting.string(ENDPOINT, "http(s)://host[:port] with no path, for an emulator or test server; " +
            "default: https://storage.googleapis.com"),
        BackendSetting.string(PROJECT_ID, "project to bill and to report; default: from the environment or the " +
            "credentials"),
        BackendSetting.choice(CREDENTIALS, "default", List.of("default", "none"), "\"default\": application " +
            "default credentials; \"none\": no authentication (emulators and test servers only)"),
        BackendSetting.size(CHUNK_SIZE_BYTES, DEFAULT_CHUNK_SIZE, CHUNK_QUANTUM, MAX_CHUNK_SIZE,
            "resumable upload chunk, a multiple of 256 KiB"),
        BackendSetting.size(RESUMABLE_THRESHOLD_BYTES, DEFAULT_RESUMABLE_THRESHOLD, 0, Long.MAX_VALUE,
            "smaller segments go in one request; 0 makes every upload resumable"),
        BackendSetting.integer(LIST_PAGE_SIZE, MAX_LIST_PAGE_SIZE, 1, MAX_LIST_PAGE_SIZE, "objects per listing page"));

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
     * @throws dev.spindle.fs.SettingException naming {@code [storage.wal_config.gcs] <key>} and what it accepts.
     */
    static GcsSettings parse(final Map<String, String> settings)
    {
        final SettingValues values = DECLARED.parse(settings);
        final int chunkSize = values.intValue(CHUNK_SIZE_BYTES);
        if (chunkSize % CHUNK_QUANTUM != 0)
        {
            throw values.invalid(CHUNK_SIZE_BYTES, "a multiple of 262144 (256 KiB) up to 1073741824 (1 GiB), e.g. " +
                "8388608 (8 MiB)");
        }
        return new GcsSettings(
            endpoint(values),
            projectId(values),
            "none".equals(values.string(CREDENTIALS)) ? Credentials.NONE : Credentials.DEFAULT,
            chunkSize,
            values.number(RESUMABLE_THRESHOLD_BYTES),
            values.intValue(LIST_PAGE_SIZE));
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

    private static String endpoint(final SettingValues values)
    {
        final String value = values.string(ENDPOINT);
        if (value == null)
        {
            return null;
        }
        try
        {
            final URI uri = new URI(value);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            final String path = uri.getPath() == null ? "" : uri.getPath();
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null &&
                uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null &&
                (path.isEmpty() || path.equals("/")))
            {
                return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            }
        }
        catch (final URISyntaxException ex)
        {
            // reported below
        }
        throw values.invalid(ENDPOINT, "a host URL, http(s)://host[:port] with no path, e.g. " +
            "https://storage.googleapis.com");
    }

    private static String projectId(final SettingValues values)
    {
        final String value = values.string(PROJECT_ID);
        // loose on purpose: emulators take ids a real project could not have
        if (value != null && !value.matches("[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}"))
        {
            throw values.invalid(PROJECT_ID, "a project id of letters, digits, '-', '.' or ':' " +
                "(e.g. my-project-123), or no project_id to use the environment's project");
        }
        return value;
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
