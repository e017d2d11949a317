package dev.spindle.config;

import dev.spindle.fs.BackendSetting;
import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystemProvider;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Stand-ins for the s3, adls and gcs backends on the config module's test classpath, which holds no real backend
 * (config depends on no cloud SDK, not even in its tests). Each declares a few keys shaped like its real
 * counterpart's, enough to exercise the reader against declarations; the real declarations are checked against
 * the configuration reader in the cli module, where every backend is on the classpath. Opening one checks the
 * values and then fails as an unreachable store would.
 */
public final class FixtureBackends
{
    private FixtureBackends()
    {
    }

    /** Declares {@code endpoint}, {@code region}, {@code path_style}, {@code part_size_bytes}. */
    public static final class S3 extends Fixture
    {
        public S3()
        {
            super(Set.of("s3"), BackendSettings.of("s3", "credentials come from the SDK's chain",
                BackendSetting.string("endpoint", "server URL"),
                BackendSetting.string("region", "region"),
                BackendSetting.bool("path_style", false, "path-style addressing"),
                BackendSetting.size("part_size_bytes", 8L << 20, 5L << 20, 5L << 30, "part size")));
        }
    }

    /** Declares the secrets {@code account_key} and {@code sas_token}, and {@code endpoint}. */
    public static final class Adls extends Fixture
    {
        public Adls()
        {
            super(Set.of("adls", "abfs", "abfss"), BackendSettings.of("adls", null,
                BackendSetting.string("endpoint", "server URL"),
                BackendSetting.secret("account_key", "account key"),
                BackendSetting.secret("sas_token", "SAS token")));
        }
    }

    /** Declares {@code project_id}, two sizes ({@code chunk_size_bytes} and {@code resumable_threshold_bytes}), a count. */
    public static final class Gcs extends Fixture
    {
        public Gcs()
        {
            super(Set.of("gcs", "gs"), BackendSettings.of("gcs", null,
                BackendSetting.string("project_id", "project"),
                BackendSetting.size("chunk_size_bytes", 8L << 20, 256 << 10, 1L << 30, "chunk size"),
                BackendSetting.size("resumable_threshold_bytes", 8L << 20, 0, Long.MAX_VALUE, "threshold"),
                BackendSetting.integer("list_page_size", 1000, 1, 1000, "page size")));
        }
    }

    /** A backend that declares nothing, as a third-party one written before declarations may. */
    public static final class Undeclared extends Fixture
    {
        public Undeclared()
        {
            super(Set.of("mem"), null);
        }
    }

    /** What the fixtures share: their schemes and declaration; opening is not what they are for. */
    abstract static class Fixture implements WalFileSystemProvider
    {
        private final Set<String> schemes;
        private final BackendSettings settings;

        Fixture(final Set<String> schemes, final BackendSettings settings)
        {
            this.schemes = schemes;
            this.settings = settings;
        }

        @Override
        public Set<String> schemes()
        {
            return schemes;
        }

        @Override
        public BackendSettings settings()
        {
            return settings == null ? WalFileSystemProvider.super.settings() : settings;
        }

        /**
         * Checks the values as a real backend does, then fails as an unreachable store would: there is no store
         * behind a stand-in, and no configuration test opens a WAL.
         */
        @Override
        public WalFileSystem open(final URI url, final Map<String, String> values) throws IOException
        {
            settings().parse(values);
            throw new IOException(url + ": the configuration tests' stand-in for " + settings().section() +
                " has no store behind it");
        }
    }
}
