package dev.spindle.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of each backend section ({@code [storage.wal_config.s3]}, {@code .adls}, {@code .gcs}) and of their
 * per-bucket or per-account tables. The config module knows no cloud SDK, so the lists live here; each backend
 * checks the same keys again when it opens. Secrets may only be {@code ${ENV}} references, never written in
 * clear in a file that gets copied, committed and logged.
 */
public final class BackendKeys
{
    /** Backend section to its keys, in the order the README lists them. */
    public static final Map<String, List<String>> KEYS = Map.of(
        "s3", List.of("endpoint", "region", "path_style", "part_size_bytes", "multipart_threshold_bytes",
            "max_concurrency", "list_page_size"),
        "adls", List.of("endpoint", "connection_string", "sas_token", "account_key", "block_size_bytes",
            "max_concurrency", "single_upload_max_bytes", "list_page_size", "create_container"),
        "gcs", List.of("endpoint", "project_id", "credentials", "chunk_size_bytes", "resumable_threshold_bytes",
            "list_page_size"));

    /** Keys whose value is a secret: only a ${ENV} reference is accepted. */
    public static final Set<String> SECRETS = Set.of("connection_string", "sas_token", "account_key");

    private BackendKeys()
    {
    }

    public static boolean isBackend(final String section)
    {
        return KEYS.containsKey(section);
    }

    /** @return the known key of {@code backend} closest to {@code unknown}, for "did you mean". */
    static Optional<String> closest(final String backend, final String unknown)
    {
        String best = null;
        int bestDistance = 4;
        for (final String k : KEYS.get(backend))
        {
            final int d = ConfigKey.distance(unknown, k);
            if (d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }
}
