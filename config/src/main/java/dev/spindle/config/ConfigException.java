package dev.spindle.config;

import dev.spindle.wal.WalException;

/**
 * A configuration file Spindle cannot use. The message starts with {@code file:line:column:} and
 * names the key, what was found and what would be accepted.
 */
public final class ConfigException extends WalException
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }

    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
