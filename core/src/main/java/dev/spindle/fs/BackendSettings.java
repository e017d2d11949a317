package dev.spindle.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a backend accepts in its section {@code [storage.wal_config.<section>]} (and in the per-bucket or
 * per-account tables under it): the one list of its keys, with types, defaults and documentation, in the order
 * the README shows them. Kafka's {@code ConfigDef} is the model.
 *
 * <p>The configuration reader checks a file against it ({@link #fromFile}) and the backend parses the settings it
 * is opened with ({@link #parse}); both go through the same {@link BackendSetting#normalize}, so nothing is
 * accepted by one and refused by the other. Immutable, so any thread may use it.
 */
public final class BackendSettings
{
    private static final Pattern CREDENTIAL_LIKE =
        Pattern.compile(".*(key|secret|token|credential|password|profile).*");

    private final String section;
    private final Map<String, BackendSetting> settings;
    private final String credentialsNote;
    private final boolean declared;

    private BackendSettings(final String section, final List<BackendSetting> settings, final String credentialsNote,
        final boolean declared)
    {
        this.section = section;
        final Map<String, BackendSetting> byKey = new LinkedHashMap<>();
        for (final BackendSetting setting : settings)
        {
            if (byKey.put(setting.key(), setting) != null)
            {
                throw new IllegalArgumentException("[storage.wal_config." + section + "] declares " + setting.key() +
                    " twice");
            }
        }
        this.settings = Collections.unmodifiableMap(byKey);
        this.credentialsNote = credentialsNote;
        this.declared = declared;
    }

    /**
     * @param section the section name, e.g. {@code s3}.
     * @param credentialsNote where credentials come from instead, added to the error for an unknown key that looks
     *     like one (e.g. {@code secret_access_key}); null for none.
     * @param settings every key the backend accepts, in documentation order.
     */
    public static BackendSettings of(final String section, final String credentialsNote,
        final BackendSetting... settings)
    {
        return new BackendSettings(section, List.of(settings), credentialsNote, true);
    }

    /**
     * @return the settings of a backend that declares none: every key is accepted as plain text and left to the
     *     backend to check when it opens (third-party backends written before declarations existed).
     */
    public static BackendSettings undeclared(final String section)
    {
        return new BackendSettings(section, List.of(), null, false);
    }

    public String section()
    {
        return section;
    }

    /** @return every declared setting, in documentation order. */
    public List<BackendSetting> settings()
    {
        return List.copyOf(settings.values());
    }

    /** @return the declared keys, in documentation order. */
    public List<String> keys()
    {
        return List.copyOf(settings.keySet());
    }

    /** @return the keys whose values are secrets. */
    public List<String> secrets()
    {
        final List<String> secrets = new ArrayList<>();
        settings.values().stream().filter(BackendSetting::secret).forEach(s -> secrets.add(s.key()));
        return secrets;
    }

    /** @return whether the backend declared its keys (if not, any key passes, as text). */
    public boolean declared()
    {
        return declared;
    }

    /** @return the declaration of {@code key}, if declared. */
    public Optional<BackendSetting> find(final String key)
    {
        return Optional.ofNullable(settings.get(key));
    }

    /**
     * @return the declaration of {@code key}.
     * @throws SettingException for a key the backend does not accept, with the closest known key and, for a key
     *     that looks like a credential, where credentials come from instead.
     */
    public BackendSetting setting(final String key)
    {
        final BackendSetting setting = settings.get(key);
        if (setting != null)
        {
            return setting;
        }
        if (!declared)
        {
            return BackendSetting.string(key, "undeclared");
        }
        final StringBuilder reason = new StringBuilder("unknown ").append(section).append(" setting")
            .append(DidYouMean.hint(key, settings.keySet())).append("; known: ")
            .append(String.join(", ", settings.keySet()));
        if (credentialsNote != null && CREDENTIAL_LIKE.matcher(key.toLowerCase(Locale.ROOT)).matches())
        {
            reason.append(". ").append(credentialsNote);
        }
        // the value is not repeated: a misplaced secret must not end up in a log
        throw new SettingException(section, key, reason.toString());
    }

    /**
     * @return the canonical form of {@code text} for {@code key}, as a backend will read it.
     * @throws SettingException for an unknown key or a value of the wrong type or range.
     */
    public String normalize(final String key, final String text)
    {
        final BackendSetting setting = setting(key);
        try
        {
            return setting.normalize(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new SettingException(section, key, ex.getMessage());
        }
    }

    /**
     * The value of {@code key} as written in a configuration file: a secret only as a {@code ${ENV}} reference,
     * any other string with its references expanded, then normalised.
     *
     * @param text the value as written (a boolean or integer of the file as its text).
     * @param environment looks up {@code ${NAME}} references.
     * @throws SettingException naming the key: unknown, a secret in clear, an unset variable, a bad value.
     */
    public String fromFile(final String key, final String text, final Function<String, String> environment)
    {
        if (setting(key).secret() && !EnvReferences.isReference(text))
        {
            throw new SettingException(section, key, "a secret is never written in clear in the configuration; give " +
                "an environment reference such as \"${" + (section + "_" + key).toUpperCase(Locale.ROOT) + "}\"");
        }
        final String expanded;
        try
        {
            expanded = EnvReferences.expand(text, environment);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new SettingException(section, key, ex.getMessage());
        }
        return normalize(key, expanded);
    }

    /**
     * @param values the settings a backend is opened with (already {@code ${ENV}}-expanded).
     * @return the values, checked and normalised, with the declared defaults behind them.
     * @throws SettingException naming the first unknown key (in sorted order) or bad value.
     */
    public SettingValues parse(final Map<String, String> values)
    {
        for (final String key : new TreeSet<>(values.keySet()))
        {
            setting(key);
        }
        final Map<String, String> normalized = new LinkedHashMap<>();
        for (final BackendSetting setting : settings.values())
        {
            final String value = values.get(setting.key());
            if (value != null)
            {
                normalized.put(setting.key(), normalize(setting.key(), value));
            }
        }
        if (!declared)
        {
            normalized.putAll(values);
        }
        return new SettingValues(this, normalized);
    }

    /** @return the declaration of a key the backend itself asks for (a programming error if unknown). */
    BackendSetting declared(final String key)
    {
        final BackendSetting setting = settings.get(key);
        if (setting == null)
        {
            throw new IllegalStateException("[storage.wal_config." + section + "] declares no " + key);
        }
        return setting;
    }

    @Override
    public String toString()
    {
        return "[storage.wal_config." + section + "] " + (declared ? keys() : "(undeclared)");
    }
}
