package dev.spindle.config;

import dev.spindle.fs.BackendSettings;
import dev.spindle.fs.SettingException;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.wal.WalOptions;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The backend sections of {@code [storage.wal_config]} ({@code .s3}, {@code .adls}, {@code .gcs}, and a third-party
 * backend's), checked against what each backend on the classpath declares: its section name, its keys, their
 * types, and which are secrets. The config module knows no backend; it asks them, so each key is written once, in
 * its backend.
 *
 * <p>A section for a backend Spindle ships but that is not on the classpath is an error naming the module to add:
 * without the backend its keys cannot be checked, nor its secrets told from other values. One instance per file
 * read, used by the reading thread only.
 */
final class BackendSections
{
    private final Map<String, BackendSettings> declared = new TreeMap<>();
    private final Set<String> servedSchemes = new TreeSet<>();
    private final TomlValues values;

    BackendSections(final List<WalFileSystemProvider> providers, final TomlValues values)
    {
        for (final WalFileSystemProvider provider : providers)
        {
            declared.putIfAbsent(provider.section(), provider.settings());
            servedSchemes.addAll(provider.schemes());
        }
        this.values = values;
    }

    /** @return the section names of the backends on the classpath. */
    Set<String> names()
    {
        return declared.keySet();
    }

    /**
     * @return whether {@code key} of {@code [storage.wal_config]} names a backend section: one on the classpath,
     *     or one of Spindle's own backends that is missing from it.
     */
    boolean isSection(final String key)
    {
        return declared.containsKey(key) || (WalFileSystems.MODULES.containsKey(key) && !servedSchemes.contains(key));
    }

    /**
     * Read {@code [storage.wal_config.<section>]}: its settings, and per-bucket (or per-account) tables of the same
     * keys, e.g. {@code [storage.wal_config.s3."my-bucket"]}, into {@code builder}.
     */
    void read(final TomlTable parent, final String section, final WalOptions.Builder builder)
    {
        final String name = SpindleConfig.TABLE + "." + section;
        final TomlPosition position = parent.inputPositionOf(section);
        final Object value = parent.get(section);
        if (!(value instanceof TomlTable))
        {
            throw new ConfigException(values.at(position) + name + ": expected a table of " + section +
                " settings, found " + TomlValues.describe(value));
        }
        final BackendSettings settings = declared.get(section);
        if (settings == null)
        {
            throw new ConfigException(values.at(position) + name + ": no backend on the classpath serves " + section +
                "://, so these settings cannot be checked; add the module dev.spindle:" +
                WalFileSystems.MODULES.get(section) + " (or remove the table)");
        }
        final TomlTable table = (TomlTable)value;
        final Map<String, String> common = new TreeMap<>();
        for (final String key : table.keySet())
        {
            final Object v = table.get(List.of(key));
            if (v instanceof TomlTable)
            {
                final TomlTable target = (TomlTable)v;
                final Map<String, String> overrides = new TreeMap<>();
                for (final String k : target.keySet())
                {
                    overrides.put(k, value(settings, target, k, name + ".\"" + key + "\"." + k));
                }
                builder.backendSettings(section + "/" + key, overrides);
            }
            else
            {
                common.put(key, value(settings, table, key, name + "." + key));
            }
        }
        builder.backendSettings(section, common);
    }

    /** @return the value of {@code key}, checked and normalised by the backend's own declaration. */
    private String value(final BackendSettings settings, final TomlTable table, final String key, final String name)
    {
        final TomlPosition position = table.inputPositionOf(List.of(key));
        final Object value = table.get(List.of(key));
        try
        {
            settings.setting(key);   // an unknown key is named as such, whatever its value
            if (value instanceof String || value instanceof Boolean || value instanceof Long)
            {
                return settings.fromFile(key, value.toString(), values.environment());
            }
        }
        catch (final SettingException ex)
        {
            throw new ConfigException(values.at(position) + name + ": " + ex.reason());
        }
        throw new ConfigException(values.at(position) + name + ": expected a string, integer or boolean, found " +
            TomlValues.describe(value));
    }
}
