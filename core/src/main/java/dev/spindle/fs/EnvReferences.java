package dev.spindle.fs;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} references to environment variables in setting values. Secrets
 * are only ever written as such a reference, so a configuration file can be copied, committed and logged without
 * leaking them; every other string may use references too.
 */
public final class EnvReferences
{
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern ONLY_A_REFERENCE = Pattern.compile("\\s*\\$\\{[A-Za-z_][A-Za-z0-9_]*}\\s*");

    private EnvReferences()
    {
    }

    /**
     * @return whether {@code text} is exactly one {@code ${NAME}} reference, without a default (what a secret
     *     must be: a default would be a secret in clear).
     */
    public static boolean isReference(final String text)
    {
        return text != null && ONLY_A_REFERENCE.matcher(text).matches();
    }

    /**
     * @param environment looks a variable up; null when it is not set.
     * @return {@code text} with every reference replaced by its variable's value, or its default.
     * @throws IllegalArgumentException naming the variable that is not set, or quoting a malformed reference.
     */
    public static String expand(final String text, final Function<String, String> environment)
    {
        final Matcher m = REFERENCE.matcher(text);
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
                throw new IllegalArgumentException("environment variable " + m.group(1) + " is not set (referenced as ${" +
                    m.group(1) + "}; use ${" + m.group(1) + ":-default} for a default)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        final String result = out.toString();
        if (result.contains("${"))
        {
            throw new IllegalArgumentException("malformed ${...} reference in \"" + text +
                "\"; write ${NAME} or ${NAME:-default}");
        }
        return result;
    }
}
