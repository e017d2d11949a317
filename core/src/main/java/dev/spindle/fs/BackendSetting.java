package dev.spindle.fs;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One key of a backend's section ({@code [storage.wal_config.<section>]}): its name, type, default and
 * documentation, written once in the backend that owns it. The configuration reader and the backend both parse a
 * value through {@link #normalize(String)}, so a value the file passes is a value the backend takes.
 *
 * @param key the TOML key, e.g. {@code part_size_bytes}.
 * @param type how a value is written and checked.
 * @param defaultValue the value in canonical form when the key is absent, or null for none (the backend decides,
 *     as {@link #doc()} says).
 * @param min the smallest number accepted ({@link Type#INTEGER}, {@link Type#SIZE}).
 * @param max the largest number accepted ({@link Type#INTEGER}, {@link Type#SIZE}).
 * @param choices the words accepted ({@link Type#CHOICE}), lower case.
 * @param doc what the key means, for the README and messages.
 */
public record BackendSetting(String key, Type type, String defaultValue, long min, long max, List<String> choices,
    String doc)
{
    /** How a value is written and checked. */
    public enum Type
    {
        /** Free text; the backend checks its shape (an endpoint URL, a region name). */
        STRING,
        /** Free text that is a credential: in a file only as a {@code ${ENV}} reference, never in a message. */
        SECRET,
        /** {@code true} or {@code false}, in any case. */
        BOOLEAN,
        /** A whole number from {@code min} to {@code max}. */
        INTEGER,
        /** A number of bytes from {@code min} to {@code max}, as an integer or with a unit ({@code "8 MiB"}). */
        SIZE,
        /** One of {@code choices}, in any case; a wrong value is not repeated (it may be a pasted key). */
        CHOICE
    }

    public BackendSetting
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        choices = List.copyOf(choices);
        if (defaultValue != null)
        {
            // a declaration's own default must pass its own rules (fields are not set yet: ask a twin without one)
            defaultValue = new BackendSetting(key, type, null, min, max, choices, doc).normalize(defaultValue);
        }
    }

    /** @return a free-text setting without a default. */
    public static BackendSetting string(final String key, final String doc)
    {
        return new BackendSetting(key, Type.STRING, null, 0, 0, List.of(), doc);
    }

    /** @return a credential: without a default, only as {@code ${ENV}} in a file, never shown. */
    public static BackendSetting secret(final String key, final String doc)
    {
        return new BackendSetting(key, Type.SECRET, null, 0, 0, List.of(), doc);
    }

    public static BackendSetting bool(final String key, final boolean defaultValue, final String doc)
    {
        return new BackendSetting(key, Type.BOOLEAN, Boolean.toString(defaultValue), 0, 0, List.of(), doc);
    }

    public static BackendSetting integer(final String key, final long defaultValue, final long min, final long max,
        final String doc)
    {
        return new BackendSetting(key, Type.INTEGER, Long.toString(defaultValue), min, max, List.of(), doc);
    }

    public static BackendSetting size(final String key, final long defaultValue, final long min, final long max,
        final String doc)
    {
        return new BackendSetting(key, Type.SIZE, Long.toString(defaultValue), min, max, List.of(), doc);
    }

    public static BackendSetting choice(final String key, final String defaultValue, final List<String> choices,
        final String doc)
    {
        return new BackendSetting(key, Type.CHOICE, defaultValue, 0, 0, choices, doc);
    }

    /** @return whether the value is a credential. */
    public boolean secret()
    {
        return type == Type.SECRET;
    }

    /**
     * @return {@code text} in canonical form: stripped, a size or number in plain bytes or digits, a boolean or
     *     choice in lower case.
     * @throws IllegalArgumentException saying what is accepted (and the value, unless it is a secret or choice).
     */
    public String normalize(final String text)
    {
        final String value = text.strip();
        switch (type)
        {
            case STRING:
                return value;
            case SECRET:
                if (value.isEmpty())
                {
                    throw new IllegalArgumentException("is empty (if it is a ${ENV} reference, is the variable set?)");
                }
                return value;
            case BOOLEAN:
                final String lower = value.toLowerCase(Locale.ROOT);
                if (!"true".equals(lower) && !"false".equals(lower))
                {
                    throw bad(text);
                }
                return lower;
            case CHOICE:
                final String choice = value.toLowerCase(Locale.ROOT);
                if (!choices.contains(choice))
                {
                    throw new IllegalArgumentException("unknown value; accepted: " + accepted());
                }
                return choice;
            case INTEGER:
            case SIZE:
                final long n = number(value);
                if (n < min || n > max)
                {
                    throw bad(text);
                }
                return Long.toString(n);
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }

    /** @return what a value must be, e.g. {@code a whole number from 1 to 1000}. */
    public String accepted()
    {
        switch (type)
        {
            case BOOLEAN:
                return "true or false";
            case CHOICE:
                return "\"" + String.join("\" or \"", choices) + "\"";
            case INTEGER:
                return max == Long.MAX_VALUE ? "a whole number, at least " + min :
                    "a whole number from " + min + " to " + max;
            case SIZE:
                return (max == Long.MAX_VALUE ? "a size of at least " + bytes(min) :
                    "a size from " + bytes(min) + " to " + bytes(max)) +
                    ": bytes (an integer) or a string such as \"8 MiB\"";
            default:
                return "a string";
        }
    }

    /**
     * @return the reason a value is refused for a rule of the backend's own ({@code expected} says what is
     *     accepted); the value is shown unless it is a secret or a choice.
     */
    public String refusal(final String expected, final String text)
    {
        return type == Type.SECRET || type == Type.CHOICE ?
            "expected " + expected + " (the value is not shown: it may be a secret)" :
            "expected " + expected + ", got \"" + text + "\"";
    }

    private long number(final String value)
    {
        if (type == Type.SIZE && !"0".equals(value))
        {
            try
            {
                return Sizes.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw bad(value);
            }
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw bad(value);
        }
    }

    private IllegalArgumentException bad(final String text)
    {
        return new IllegalArgumentException(refusal(accepted(), text));
    }

    private static String bytes(final long n)
    {
        return n < 1024 ? Long.toString(n) : n + " (" + Sizes.format(n) + ")";
    }
}
