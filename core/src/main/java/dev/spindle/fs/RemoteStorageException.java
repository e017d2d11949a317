package dev.spindle.fs;

import java.io.IOException;

/**
 * A failed call to an object store, with what the uploader needs to decide whether to try again: throttling
 * (429, 503 SlowDown), other 5xx answers, timeouts and broken connections are {@link #retryable()}; a refused
 * credential or a bad request is not (retrying cannot fix it, though the uploader still tries again slowly,
 * because the data is safe in staging and an operator may fix the cause).
 */
public class RemoteStorageException extends IOException
{
    private static final long serialVersionUID = 1L;

    /** No HTTP status: the connection failed or timed out. */
    public static final int NO_STATUS = -1;

    private final int status;
    private final boolean retryable;

    public RemoteStorageException(final String message, final int status, final boolean retryable, final Throwable cause)
    {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
    }

    /** @return the HTTP status of the answer, or {@link #NO_STATUS}. */
    public int status()
    {
        return status;
    }

    public boolean retryable()
    {
        return retryable;
    }

    /** @return whether an HTTP status is worth retrying: 408, 429 and every 5xx. */
    public static boolean isRetryableStatus(final int status)
    {
        return status == 408 || status == 429 || status >= 500 || status == NO_STATUS;
    }
}
