package dev.spindle.config;

import dev.spindle.fs.EnvReferences;
import dev.spindle.fs.Sizes;
import dev.spindle.wal.WalConfigKey;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.util.Locale;
import java.util.function.Function;

/**
 * Reads one TOML value as the type a key wants, or fails with {@code file:line:column: key: what was found; what is
 * accepted}. Strings have their {@code ${NAME}} references expanded first. One instance per file read, used by
 * the reading thread only.
 */
final class TomlValues
{
    private final String source;
    private final Function<String, String> environment;

    TomlValues(final String source, final Function<String, String> environment)
    {
        this.source = source;
        this.environment = environment;
    }

    Function<String, String> environment()
    {
        return environment;
    }

    /**
     * @return {@code value} as the Java type {@link WalConfigKey#set} takes for {@code key}'s type ({@code wal_urls}
     *     excepted: {@link SpindleConfig} reads it, with its own checks).
     */
    Object read(final WalConfigKey key, final Object value, final String name, final TomlPosition position)
    {
        switch (key.type())
        {
            case STRING:
                return string(value, name, position);
            case ENUM:
                return enumValue(key, value, name, position);
            case BOOLEAN:
                return bool(value, name, position);
            case INTEGER:
                return integer(value, name, position, key.max());
            case SIZE:
                return size(value, name, position);
            default:
                throw new IllegalStateException("no reader for " + key.type() + " (" + name + ")");
        }
    }

    String string(final Object value, final String name, final TomlPosition position)
    {
        if (!(value instanceof String) || ((String)value).isBlank())
        {
            throw new ConfigException(at(position) + name + ": expected a non-empty string, found " + describe(value));
        }
        return expand((String)value, name, position);
    }

    private Enum<?> enumValue(final WalConfigKey key, final Object value, final String name,
        final TomlPosition position)
    {
        if (!(value instanceof String))
        {
            throw new ConfigException(at(position) + name + ": expected a string, one of " + key.acceptedValues() +
                "; found " + describe(value));
        }
        final String text = expand((String)value, name, position);
        String hint = "";
        for (final Enum<?> constant : key.enumType().getEnumConstants())
        {
            final String written = constant.toString();   // a codec is written by its Avro name, "null" included
            if (written.equals(text))
            {
                return constant;
            }
            if (written.equalsIgnoreCase(text))
            {
                hint = " (values are case-sensitive: did you mean \"" + written + "\"?)";
            }
        }
        throw new ConfigException(at(position) + name + ": unknown value \"" + text + "\"" + hint + "; expected one of " +
            key.acceptedValues());
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

    /** @return {@code value} with its {@code ${NAME}} references replaced. */
    String expand(final String value, final String name, final TomlPosition position)
    {
        try
        {
            return EnvReferences.expand(value, environment);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(at(position) + name + ": " + ex.getMessage());
        }
    }

    /** @return {@code "file:line:column: "}, or {@code "file: "} without a position. */
    String at(final TomlPosition position)
    {
        return position == null ? source + ": " : source + ":" + position.line() + ":" + position.column() + ": ";
    }

    /** @return what a value is, for "found ..." (strings quoted: they are never secrets here). */
    static String describe(final Object value)
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
