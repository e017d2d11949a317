package dev.spindle.wal.internal.remote;

import java.io.IOException;

/**
 * A newer writer holds the prefix: this writer is fenced ({@link Fence}). The type, not the message, tells a
 * fenced remote lane from one that failed otherwise: a fenced writer stops in that lane for good, and its
 * collections are never moved to another lane (two writers would then continue them).
 */
public final class FencedException extends IOException
{
    private static final long serialVersionUID = 1L;

    public FencedException(final String message)
    {
        super(message);
    }
}
