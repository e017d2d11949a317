package dev.spindle.wal;

/**
 * Anything that stops the WAL from doing what was asked: bad options, an I/O failure, a failed lane,
 * corruption. The message names the file, key or byte offset concerned.
 */
public class WalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public WalException(final String message)
    {
        super(message);
    }

    public WalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
