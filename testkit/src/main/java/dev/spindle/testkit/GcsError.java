package dev.spindle.testkit;

/**
 * An answer of the GCS test server other than success: the status, the machine-readable reason
 * ({@code notFound}, {@code conditionNotMet}, ...) and the message the client shows, written as a GCS JSON
 * error body.
 */
final class GcsError extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    final int status;
    final String reason;

    GcsError(final int status, final String reason, final String message)
    {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    String json()
    {
        return GcsJson.error(status, reason, getMessage());
    }
}
