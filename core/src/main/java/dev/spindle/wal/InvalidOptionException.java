package dev.spindle.wal;

/**
 * An option {@link WalOptions.Builder#build()} does not accept. It carries the key as data, so a configuration
 * reader can point at the key's line without parsing the message; the message names the key and what would be
 * accepted, and reads the same whether the options came from a file or from code.
 */
public final class InvalidOptionException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final transient WalConfigKey key;

    public InvalidOptionException(final WalConfigKey key, final String message)
    {
        super(message);
        this.key = key;
    }

    /** @return the key whose value is refused (for a rule between two keys, the one a reader should change). */
    public WalConfigKey key()
    {
        return key;
    }
}
