package dev.spindle.fs;

import java.util.Map;

/**
 * One lane's backend settings after {@link BackendSettings#parse}: every value checked against its declaration
 * and in canonical form, the declared default behind every key that was not given. Backends read typed values
 * here and add only the rules that are theirs (an endpoint's shape, a region name), failing through
 * {@link #invalid} so every message has the same form. Immutable.
 */
public final class SettingValues
{
    private final BackendSettings declaration;
    private final Map<String, String> values;

    SettingValues(final BackendSettings declaration, final Map<String, String> values)
    {
        this.declaration = declaration;
        this.values = Map.copyOf(values);
    }

    /** @return whether {@code key} was given (rather than defaulted). */
    public boolean isSet(final String key)
    {
        declaration.declared(key);
        return values.containsKey(key);
    }

    /** @return the value of {@code key}, or its default; null when it has neither. */
    public String string(final String key)
    {
        final String value = values.get(key);
        return value != null ? value : declaration.declared(key).defaultValue();
    }

    /** @return the value of a {@link BackendSetting.Type#BOOLEAN} key, or its default. */
    public boolean bool(final String key)
    {
        return Boolean.parseBoolean(required(key));
    }

    /** @return the value of an {@link BackendSetting.Type#INTEGER} or {@link BackendSetting.Type#SIZE} key. */
    public long number(final String key)
    {
        return Long.parseLong(required(key));
    }

    /** @return {@link #number} of a key whose declared range fits an int. */
    public int intValue(final String key)
    {
        return Math.toIntExact(number(key));
    }

    /**
     * @param expected what the backend accepts, e.g. {@code an http:// or https:// URL with no path}.
     * @return the failure for a value of {@code key} that breaks a rule of the backend's own.
     */
    public SettingException invalid(final String key, final String expected)
    {
        return new SettingException(declaration.section(), key,
            declaration.declared(key).refusal(expected, String.valueOf(string(key))));
    }

    private String required(final String key)
    {
        final String value = string(key);
        if (value == null)
        {
            throw new IllegalStateException("[storage.wal_config." + declaration.section() + "] " + key +
                " has no default");
        }
        return value;
    }

    /** Names the keys given, never their values (some are secrets). */
    @Override
    public String toString()
    {
        return declaration.section() + " settings " + values.keySet();
    }
}
