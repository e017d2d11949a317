package dev.spindle.config;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.DistributionStrategy;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.WaitStrategy;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.internal.remote.LaneUrls;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Spindle's configuration from a TOML file: the {@code [storage.wal_config]} table (ProximaDB's
 * keys and Spindle's own, see {@link ConfigKey}), or the legacy {@code [storage] wal_dir} when
 * {@code wal_urls} is absent. Other tables and other {@code [storage]} keys belong to the host
 * application and are left alone.
 *
 * <p>Every problem is reported as {@code file:line:column: key: what is wrong; what is accepted}.
 * {@code ${NAME}} in a string is replaced by the environment variable NAME ({@code ${NAME:-default}}
 * gives a default); a variable that is not set is an error naming it.
 */
public final class SpindleConfig
{
    public static final String TABLE = "storage.wal_config";
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /** What a file gave: the options, and warnings worth showing (a legacy key ignored, say). */
    public record Loaded(WalOptions options, List<String> warnings)
    {
    }

    private final String source;
    private final Function<String, String> environment;
    private final List<String> warnings = new ArrayList<>();

    private SpindleConfig(final String source, final Function<String, String> environment)
    {
        this.source = source;
        this.environment = environment;
    }

    /**
     * @throws ConfigException naming file, line, column and key.
     */
    public static WalOptions load(final Path file)
    {
        return loadWithWarnings(file).options();
    }

    public static Loaded loadWithWarnings(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException(file + ": no such configuration file");
        }
        catch (final IOException ex)
        {
            throw new ConfigException(file + ": cannot read: " + ex.getMessage());
        }
        return parse(text, file.toString(), System::getenv);
    }

    /**
     * @param text TOML.
     * @param source the name to give in messages (usually the file's path).
     * @param environment looks up {@code ${NAME}} references.
     */
    public static Loaded parse(final String text, final String source, final Function<String, String> environment)
    {
        return new SpindleConfig(source, environment).read(text);
    }

    private Loaded read(final String text)
    {
        final TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors())
        {
            final TomlParseError error = toml.errors().get(0);
            throw new ConfigException(at(error.position()) + "TOML syntax error: " + error.getMessage());
        }
        final WalOptions.Builder builder = WalOptions.builder();
        final Object walConfig = toml.get(TABLE);
        TomlTable table = null;
        if (walConfig != null)
        {
            if (!(walConfig instanceof TomlTable))
            {
                throw new ConfigException(at(toml.inputPositionOf(TABLE)) + TABLE + " must be a table");
            }
            table = (TomlTable)walConfig;
            for (final String key : table.keySet())
            {
                readKey(table, key, builder);
            }
        }
        final boolean hasUrls = table != null && table.contains(ConfigKey.WAL_URLS.key());
        final Object walDir = toml.get("storage.wal_dir");
        if (walDir != null)
        {
            final TomlPosition position = toml.inputPositionOf("storage.wal_dir");
            if (!(walDir instanceof String))
            {
                throw new ConfigException(at(position) + "storage.wal_dir: expected a string (a directory), found " +
                    describe(walDir));
            }
            if (hasUrls)
            {
                warnings.add(at(position) + "storage.wal_dir is ignored because storage.wal_config.wal_urls is set");
            }
            else
            {
                final String dir = expand((String)walDir, "storage.wal_dir", position);
                checkUrl(0, dir, "storage.wal_dir", position);
                builder.walUrls(List.of(dir));
            }
        }
        try
        {
            return new Loaded(builder.build(), Collections.unmodifiableList(warnings));
        }
        catch (final IllegalArgumentException ex)
        {
            final String message = ex.getMessage();
            final String key = message.split("[ \\[]", 2)[0];
            final TomlPosition position = table == null ? null : table.inputPositionOf(key);
            throw new ConfigException(at(position) + TABLE + "." + message);
        }
    }

    private void readKey(final TomlTable table, final String key, final WalOptions.Builder builder)
    {
        final TomlPosition position = table.inputPositionOf(key);
        if (BackendKeys.isBackend(key))
        {
            readBackend(table, key, builder);
            return;
        }
        final ConfigKey spec = ConfigKey.of(key).orElseThrow(() -> new ConfigException(at(position) + TABLE + "." +
            key + ": unknown key" + ConfigKey.closest(key).map(k -> " (did you mean " + k + "?)").orElse("") +
            "; known keys: " + knownKeys()));
        final Object value = table.get(key);
        final String name = TABLE + "." + key;
        switch (spec)
        {
            case WAL_URLS:
                builder.walUrls(urls(value, name, position));
                break;
            case DISTRIBUTION_STRATEGY:
                builder.distributionStrategy(enumValue(spec, value, name, position, DistributionStrategy.class));
                break;
            case COLLECTION_AFFINITY:
                builder.collectionAffinity(bool(value, name, position));
                break;
            case MEMORY_FLUSH_SIZE_BYTES:
                builder.memoryFlushSizeBytes(size(value, name, position));
                break;
            case GLOBAL_FLUSH_THRESHOLD:
                builder.globalFlushThresholdBytes(size(value, name, position));
                break;
            case SYNC_MODE:
                builder.syncMode(enumValue(spec, value, name, position, SyncMode.class));
                break;
            case DISK_SEGMENT_SIZE:
                builder.diskSegmentSizeBytes(size(value, name, position));
                break;
            case IO_MODE:
                builder.ioMode(enumValue(spec, value, name, position, IoMode.class));
                break;
            case RING_BUFFER_SIZE:
                builder.ringBufferSize((int)integer(value, name, position, Integer.MAX_VALUE));
                break;
            case WAIT_STRATEGY:
                builder.waitStrategy(enumValue(spec, value, name, position, WaitStrategy.class));
                break;
            case FLUSH_INTERVAL_MS:
                builder.flushIntervalMs(integer(value, name, position, Long.MAX_VALUE));
                break;
            case SEGMENT_MAX_AGE_MS:
                builder.segmentMaxAgeMs(integer(value, name, position, Long.MAX_VALUE));
                break;
            case RECOVERY_MODE:
                builder.recoveryMode(enumValue(spec, value, name, position, RecoveryMode.class));
                break;
            case MAX_ENTRY_SIZE_BYTES:
                builder.maxEntrySizeBytes((int)Math.min(Integer.MAX_VALUE, size(value, name, position)));
                break;
            case PREALLOCATE_CHUNK_BYTES:
                builder.preallocateChunkBytes(size(value, name, position));
                break;
            case SYNC_PARALLELISM:
                builder.syncParallelism((int)integer(value, name, position, 64));
                break;
            case PWRITE_PREALLOCATE:
                builder.pwritePreallocate(bool(value, name, position));
                break;
            case STAGING_DIR:
                builder.stagingDir(java.nio.file.Path.of(string(value, name, position)));
                break;
            case ACK:
                builder.ack(enumValue(spec, value, name, position, AckMode.class));
                break;
            case UPLOAD_CONCURRENCY:
                builder.uploadConcurrency((int)integer(value, name, position, 256));
                break;
            case UPLOAD_QUEUE_BYTES:
                builder.uploadQueueBytes(size(value, name, position));
                break;
            case UPLOAD_RETRY_BASE_MS:
                builder.uploadRetryBaseMs(integer(value, name, position, Long.MAX_VALUE));
                break;
            case UPLOAD_RETRY_MAX_MS:
                builder.uploadRetryMaxMs(integer(value, name, position, Long.MAX_VALUE));
                break;
            case KEEP_STAGED_SEGMENTS:
                builder.keepStagedSegments(bool(value, name, position));
                break;
            case UPLOAD_CLOSE_TIMEOUT_MS:
                builder.uploadCloseTimeoutMs(integer(value, name, position, Long.MAX_VALUE));
                break;
            default:
                throw new IllegalStateException("unhandled key " + key);
        }
    }

    /**
     * {@code [storage.wal_config.<backend>]}: scalar settings, and per-bucket (or per-account) tables of the same
     * keys, e.g. {@code [storage.wal_config.s3."my-bucket"]}.
     */
    private void readBackend(final TomlTable parent, final String backend, final WalOptions.Builder builder)
    {
        final String name = TABLE + "." + backend;
        final Object value = parent.get(backend);
        if (!(value instanceof TomlTable))
        {
            throw new ConfigException(at(parent.inputPositionOf(backend)) + name + ": expected a table of " + backend +
                " settings, found " + describe(value));
        }
        final TomlTable table = (TomlTable)value;
        final Map<String, String> settings = new TreeMap<>();
        for (final String key : table.keySet())
        {
            final Object v = table.get(List.of(key));
            if (v instanceof TomlTable)
            {
                final TomlTable target = (TomlTable)v;
                final Map<String, String> overrides = new TreeMap<>();
                for (final String k : target.keySet())
                {
                    overrides.put(k, backendValue(backend, target, k, name + ".\"" + key + "\"." + k));
                }
                builder.backendSettings(backend + "/" + key, overrides);
            }
            else
            {
                settings.put(key, backendValue(backend, table, key, name + "." + key));
            }
        }
        builder.backendSettings(backend, settings);
    }

    private String backendValue(final String backend, final TomlTable table, final String key, final String name)
    {
        final TomlPosition position = table.inputPositionOf(List.of(key));
        if (!BackendKeys.KEYS.get(backend).contains(key))
        {
            throw new ConfigException(at(position) + name + ": unknown " + backend + " setting" +
                BackendKeys.closest(backend, key).map(k -> " (did you mean " + k + "?)").orElse("") + "; known: " +
                String.join(", ", BackendKeys.KEYS.get(backend)));
        }
        final Object value = table.get(List.of(key));
        if (BackendKeys.SECRETS.contains(key))
        {
            if (!(value instanceof String) || !((String)value).trim().matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}"))
            {
                throw new ConfigException(at(position) + name + ": a secret is never written in clear in the " +
                    "configuration; give an environment reference such as \"${AZURE_STORAGE_KEY}\"");
            }
            return expand((String)value, name, position);
        }
        if (key.endsWith("_bytes"))
        {
            return Long.toString(size(value, name, position));
        }
        if (value instanceof Boolean || value instanceof Long)
        {
            return value.toString();
        }
        if (value instanceof String)
        {
            return expand((String)value, name, position);
        }
        throw new ConfigException(at(position) + name + ": expected a string, integer or boolean, found " +
            describe(value));
    }

    private String string(final Object value, final String name, final TomlPosition position)
    {
        if (!(value instanceof String) || ((String)value).isBlank())
        {
            throw new ConfigException(at(position) + name + ": expected a non-empty string, found " + describe(value));
        }
        return expand((String)value, name, position);
    }

    private static String knownKeys()
    {
        final List<String> keys = new ArrayList<>();
        for (final ConfigKey k : ConfigKey.values())
        {
            keys.add(k.key());
        }
        return String.join(", ", keys);
    }

    private List<String> urls(final Object value, final String name, final TomlPosition position)
    {
        if (!(value instanceof TomlArray))
        {
            throw new ConfigException(at(position) + name + ": expected an array of strings, e.g. " +
                "[\"file:///mnt/nvme1/wal\"], found " + describe(value));
        }
        final TomlArray array = (TomlArray)value;
        if (array.isEmpty())
        {
            throw new ConfigException(at(position) + name + ": is empty; give at least one directory or URL");
        }
        final List<String> urls = new ArrayList<>();
        for (int i = 0; i < array.size(); i++)
        {
            final Object element = array.get(i);
            final TomlPosition elementPosition = array.inputPositionOf(i);
            if (!(element instanceof String))
            {
                throw new ConfigException(at(elementPosition) + name + "[" + i + "]: expected a string, found " +
                    describe(element));
            }
            final String url = expand((String)element, name + "[" + i + "]", elementPosition);
            checkUrl(i, url, name, elementPosition);
            final int duplicate = urls.indexOf(url);
            if (duplicate >= 0)
            {
                throw new ConfigException(at(elementPosition) + name + "[" + i + "]: \"" + url + "\" repeats " + name +
                    "[" + duplicate + "]; each lane needs its own URL");
            }
            urls.add(url);
        }
        final List<String> local = new ArrayList<>();
        for (final String url : urls)
        {
            if (!url.contains("://") || url.regionMatches(true, 0, "file://", 0, 7))
            {
                local.add(url);
            }
        }
        try
        {
            LaneUrls.resolve(local);
        }
        catch (final WalException ex)
        {
            throw new ConfigException(at(position) + name + ": " + ex.getMessage());
        }
        return urls;
    }

    private void checkUrl(final int index, final String url, final String name, final TomlPosition position)
    {
        try
        {
            LaneUrls.checkSyntax(index, url);
        }
        catch (final WalException ex)
        {
            throw new ConfigException(at(position) + name + ": " +
                ex.getMessage().replace("wal_urls[" + index + "]", "entry " + index));
        }
    }

    private <E extends Enum<E>> E enumValue(final ConfigKey spec, final Object value, final String name,
        final TomlPosition position, final Class<E> type)
    {
        if (!(value instanceof String))
        {
            throw new ConfigException(at(position) + name + ": expected a string, one of " + spec.acceptedValues() +
                "; found " + describe(value));
        }
        final String text = expand((String)value, name, position);
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equals(text))
            {
                return constant;
            }
        }
        String hint = "";
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equalsIgnoreCase(text))
            {
                hint = " (values are case-sensitive: did you mean \"" + constant.name() + "\"?)";
            }
        }
        throw new ConfigException(at(position) + name + ": unknown value \"" + text + "\"" + hint + "; expected one of " +
            spec.acceptedValues());
    }

    private boolean bool(final Object value, final String name, final TomlPosition position)
    {
        if (!(value instanceof Boolean))
        {
            throw new ConfigException(at(position) + name + ": expected true or false, found " + describe(value));
        }
        return (Boolean)value;
    }

    private long integer(final Object value, final String name, final TomlPosition position, final long max)
    {
        if (!(value instanceof Long))
        {
            throw new ConfigException(at(position) + name + ": expected an integer, found " + describe(value));
        }
        final long n = (Long)value;
        if (n < 0)
        {
            throw new ConfigException(at(position) + name + ": is " + n + "; give a positive integer");
        }
        if (n > max)
        {
            throw new ConfigException(at(position) + name + ": is " + n + "; give at most " + max);
        }
        return n;
    }

    private long size(final Object value, final String name, final TomlPosition position)
    {
        if (value instanceof Long)
        {
            final long n = (Long)value;
            if (n <= 0)
            {
                throw new ConfigException(at(position) + name + ": is " + n + "; give a positive number of bytes");
            }
            return n;
        }
        if (value instanceof String)
        {
            final String text = expand((String)value, name, position);
            try
            {
                return Sizes.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException(at(position) + name + ": " + ex.getMessage());
            }
        }
        throw new ConfigException(at(position) + name + ": expected a size in bytes (an integer, or a string such as " +
            "\"64 MiB\"), found " + describe(value));
    }

    private String expand(final String value, final String name, final TomlPosition position)
    {
        final Matcher m = ENV.matcher(value);
        final StringBuilder out = new StringBuilder();
        while (m.find())
        {
            String replacement = environment.apply(m.group(1));
            if (replacement == null)
            {
                replacement = m.group(2);
            }
            if (replacement == null)
            {
                throw new ConfigException(at(position) + name + ": environment variable " + m.group(1) +
                    " is not set (referenced as ${" + m.group(1) + "}; use ${" + m.group(1) + ":-default} for a default)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        final String result = out.toString();
        if (result.contains("${"))
        {
            throw new ConfigException(at(position) + name + ": malformed ${...} reference in \"" + value +
                "\"; write ${NAME} or ${NAME:-default}");
        }
        return result;
    }

    private String at(final TomlPosition position)
    {
        return position == null ? source + ": " : source + ":" + position.line() + ":" + position.column() + ": ";
    }

    private static String describe(final Object value)
    {
        if (value == null)
        {
            return "nothing";
        }
        if (value instanceof String)
        {
            return "the string \"" + value + "\"";
        }
        if (value instanceof Long)
        {
            return "the integer " + value;
        }
        if (value instanceof Double)
        {
            return "the float " + value;
        }
        if (value instanceof Boolean)
        {
            return "the boolean " + value;
        }
        if (value instanceof TomlArray)
        {
            return "an array";
        }
        if (value instanceof TomlTable)
        {
            return "a table";
        }
        return "a " + value.getClass().getSimpleName().replace("Offset", "").toLowerCase(Locale.ROOT);
    }
}
