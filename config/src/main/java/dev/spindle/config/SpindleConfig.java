package dev.spindle.config;

import dev.spindle.fs.DidYouMean;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.wal.InvalidOptionException;
import dev.spindle.wal.WalConfigKey;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalUrls;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Reads Spindle's configuration from a TOML file: the {@code [storage.wal_config]} table (ProximaDB's keys and
 * Spindle's own, see {@link WalConfigKey}; the backend sections, see {@link BackendSections}), or the legacy
 * {@code [storage] wal_dir} when {@code wal_urls} is absent. Other tables and other {@code [storage]} keys belong
 * to the host application and are left alone.
 *
 * <p>Every problem is reported as {@code file:line:column: key: what is wrong; what is accepted}.
 * {@code ${NAME}} in a string is replaced by the environment variable NAME ({@code ${NAME:-default}}
 * gives a default); a variable that is not set is an error naming it. A reader is used once, by one thread.
 */
public final class SpindleConfig
{
    public static final String TABLE = "storage.wal_config";

    /** What a file gave: the options, and warnings worth showing (a legacy key ignored, say). */
    public record Loaded(WalOptions options, List<String> warnings)
    {
    }

    private final String source;
    private final TomlValues values;
    private final BackendSections sections;
    private final List<String> warnings = new ArrayList<>();

    private SpindleConfig(final String source, final Function<String, String> environment,
        final List<WalFileSystemProvider> backends)
    {
        this.source = source;
        this.values = new TomlValues(source, environment);
        this.sections = new BackendSections(backends, values);
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
        return parse(ConfigFile.read(file), file.toString(), System::getenv);
    }

    /**
     * @param text TOML.
     * @param source the name to give in messages (usually the file's path).
     * @param environment looks up {@code ${NAME}} references.
     */
    public static Loaded parse(final String text, final String source, final Function<String, String> environment)
    {
        return parse(text, source, environment, WalFileSystems.providers());
    }

    /** {@link #parse(String, String, Function)} with the given backends instead of the classpath's. */
    static Loaded parse(final String text, final String source, final Function<String, String> environment,
        final List<WalFileSystemProvider> backends)
    {
        return new SpindleConfig(source, environment, backends).read(text);
    }

    private Loaded read(final String text)
    {
        NestingLimit.check(text, source);
        final TomlParseResult toml;
        try
        {
            toml = Toml.parse(text);
        }
        catch (final TomlParseError ex)
        {
            // tomlj throws some errors instead of listing them: a bad escape in a quoted table name
            throw syntaxError(ex);
        }
        catch (final AssertionError ex)
        {
            // with -ea, tomlj asserts some of what it reports as a syntax error without (a u-escape of fewer than four
            // hex digits): that error comes with its position, the assertion without
            throw new ConfigException(source + ": TOML syntax error the parser did not place (it failed an assertion" +
                " at " + (ex.getStackTrace().length == 0 ? "?" : ex.getStackTrace()[0]) + "): look for a \\u escape " +
                "without four hex digits or a \\U escape without eight; without -ea the message gives the line");
        }
        catch (final StackOverflowError ex)     // a backstop: NestingLimit keeps nesting far from this
        {
            throw new ConfigException(source + ": TOML nested too deeply for the parser's stack; nest arrays and " +
                "inline tables at most " + NestingLimit.MAX_DEPTH + " deep", ex);
        }
        if (toml.hasErrors())
        {
            throw syntaxError(toml.errors().get(0));
        }
        final WalOptions.Builder builder = WalOptions.builder();
        final Object walConfig = toml.get(TABLE);
        TomlTable table = null;
        if (walConfig != null)
        {
            if (!(walConfig instanceof TomlTable))
            {
                throw new ConfigException(values.at(toml.inputPositionOf(TABLE)) + TABLE + " must be a table");
            }
            table = (TomlTable)walConfig;
            for (final String key : table.keySet())
            {
                readKey(table, key, builder);
            }
        }
        readLegacyWalDir(toml, table != null && table.contains(WalConfigKey.WAL_URLS.key()), builder);
        try
        {
            return new Loaded(builder.build(), Collections.unmodifiableList(warnings));
        }
        catch (final InvalidOptionException ex)
        {
            final TomlPosition position = table == null ? null : table.inputPositionOf(ex.key().key());
            throw new ConfigException(values.at(position) + TABLE + "." + ex.getMessage());
        }
    }

    private void readKey(final TomlTable table, final String key, final WalOptions.Builder builder)
    {
        if (sections.isSection(key))
        {
            sections.read(table, key, builder);
            return;
        }
        // the key as a path of one: the String forms parse it as a dotted key, and refuse "" or one with a quote
        final TomlPosition position = table.inputPositionOf(List.of(key));
        final String name = TABLE + "." + key;
        final WalConfigKey spec = WalConfigKey.of(key).orElseThrow(() -> unknownKey(key, position));
        final Object value = table.get(List.of(key));
        final Object read = spec == WalConfigKey.WAL_URLS ? urls(value, name, position) :
            values.read(spec, value, name, position);
        try
        {
            spec.set(builder, read);
        }
        catch (final InvalidPathException ex)     // staging_dir: Path.of refuses it (a NUL character, on Linux)
        {
            throw new ConfigException(values.at(position) + name + ": is not a valid path (" + ex.getReason() +
                "); give a local directory");
        }
    }

    private ConfigException syntaxError(final TomlParseError error)
    {
        return new ConfigException(values.at(error.position()) + "TOML syntax error: " + error.getMessage());
    }

    private ConfigException unknownKey(final String key, final TomlPosition position)
    {
        final List<String> known = new ArrayList<>(WalConfigKey.names());
        known.addAll(sections.names());
        return new ConfigException(values.at(position) + TABLE + "." + key + ": unknown key" +
            DidYouMean.hint(key, known) + "; known keys: " + String.join(", ", WalConfigKey.names()) +
            (sections.names().isEmpty() ? "" : "; backend sections: " + String.join(", ", sections.names())));
    }

    /** {@code [storage] wal_dir}: the one lane when {@code wal_urls} is absent, else ignored with a warning. */
    private void readLegacyWalDir(final TomlParseResult toml, final boolean hasUrls, final WalOptions.Builder builder)
    {
        final Object walDir = toml.get("storage.wal_dir");
        if (walDir == null)
        {
            return;
        }
        final TomlPosition position = toml.inputPositionOf("storage.wal_dir");
        if (!(walDir instanceof String))
        {
            throw new ConfigException(values.at(position) + "storage.wal_dir: expected a string (a directory), found " +
                TomlValues.describe(walDir));
        }
        if (hasUrls)
        {
            warnings.add(values.at(position) + "storage.wal_dir is ignored because storage.wal_config.wal_urls is set");
            return;
        }
        final String dir = values.expand((String)walDir, "storage.wal_dir", position);
        checkUrl(0, dir, "storage.wal_dir", position);
        builder.walUrls(List.of(dir));
    }

    private List<String> urls(final Object value, final String name, final TomlPosition position)
    {
        if (!(value instanceof TomlArray))
        {
            throw new ConfigException(values.at(position) + name + ": expected an array of strings, e.g. " +
                "[\"file:///mnt/nvme1/wal\"], found " + TomlValues.describe(value));
        }
        final TomlArray array = (TomlArray)value;
        if (array.isEmpty())
        {
            throw new ConfigException(values.at(position) + name + ": is empty; give at least one directory or URL");
        }
        final List<String> urls = new ArrayList<>();
        for (int i = 0; i < array.size(); i++)
        {
            final Object element = array.get(i);
            final TomlPosition elementPosition = array.inputPositionOf(i);
            if (!(element instanceof String))
            {
                throw new ConfigException(values.at(elementPosition) + name + "[" + i + "]: expected a string, found " +
                    TomlValues.describe(element));
            }
            final String url = values.expand((String)element, name + "[" + i + "]", elementPosition);
            checkUrl(i, url, name, elementPosition);
            final int duplicate = urls.indexOf(url);
            if (duplicate >= 0)
            {
                throw new ConfigException(values.at(elementPosition) + name + "[" + i + "]: \"" + url + "\" repeats " +
                    name + "[" + duplicate + "]; each lane needs its own URL");
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
            WalUrls.resolve(local);
        }
        catch (final WalException ex)
        {
            throw new ConfigException(values.at(position) + name + ": " + ex.getMessage());
        }
        return urls;
    }

    private void checkUrl(final int index, final String url, final String name, final TomlPosition position)
    {
        try
        {
            WalUrls.checkSyntax(index, url);
        }
        catch (final WalException ex)
        {
            throw new ConfigException(values.at(position) + name + ": " +
                ex.getMessage().replace("wal_urls[" + index + "]", "entry " + index));
        }
    }
}
