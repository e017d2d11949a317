package dev.spindle.wal.internal.segment;

import java.util.regex.Pattern;

/**
 * Collection names become directory names, so they are checked before anything touches the disk:
 * {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}, never {@code .} or {@code ..}. That rules out path
 * separators, NUL, leading dots (hidden files), and anything longer than 128 characters.
 */
public final class CollectionNames
{
    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private CollectionNames()
    {
    }

    /**
     * @param name a candidate collection name.
     * @return true when it may name a collection.
     */
    public static boolean isValid(final String name)
    {
        return name != null && name.length() <= MAX_LENGTH && VALID.matcher(name).matches() &&
            !".".equals(name) && !"..".equals(name);
    }

    /**
     * @param name a candidate collection name.
     * @return the name.
     * @throws IllegalArgumentException saying what is wrong with it.
     */
    public static String validate(final String name)
    {
        if (name == null)
        {
            throw new IllegalArgumentException("collection name is null");
        }
        if (isValid(name))
        {
            return name;
        }
        final String shown = printable(name);
        if (name.isEmpty())
        {
            throw new IllegalArgumentException("collection name is empty");
        }
        if (name.length() > MAX_LENGTH)
        {
            throw new IllegalArgumentException("collection name of " + name.length() + " characters is too long (at most " +
                MAX_LENGTH + "): " + shown.substring(0, 40) + "...");
        }
        throw new IllegalArgumentException("collection name \"" + shown + "\" is not allowed: use letters, digits, " +
            "'_', '.' and '-', starting with a letter or digit (pattern [A-Za-z0-9][A-Za-z0-9_.-]{0,127})");
    }

    private static String printable(final String s)
    {
        final StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && b.length() < 200; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f)
            {
                b.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                b.append(c);
            }
        }
        return b.toString();
    }
}
