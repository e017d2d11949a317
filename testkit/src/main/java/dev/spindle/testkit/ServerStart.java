package dev.spindle.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starting a test server and waiting until it is ready, and stopping one: the part S3Mock, Azurite and the GCS test
 * server share. Every wait has a deadline, so a server that hangs fails the test with its log instead of hanging
 * the build. Stateless; the server that calls it owns the process.
 */
final class ServerStart
{
    /** How often a server that is not ready yet is asked again. */
    static final Duration POLL = Duration.ofMillis(100);
    /** How long a process may take to die after SIGKILL (it only takes long in uninterruptible I/O). */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_BYTES = 8192;

    /** One try at getting ready: a result when ready, null (or an exception) when not yet, {@link GiveUp} never. */
    interface Attempt<T>
    {
        T attempt() throws IOException;
    }

    private ServerStart()
    {
    }

    /**
     * Try {@code attempt} every {@link #POLL} until it returns a result or {@code timeout} passes.
     *
     * @param what what is awaited, for the message, e.g. {@code "S3Mock answers on port 4711"}.
     * @return the first result.
     * @throws IOException when the deadline passes, with the last failure as the cause; {@link GiveUp} at once.
     */
    static <T> T await(final String what, final Duration timeout, final Attempt<T> attempt)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (true)
        {
            try
            {
                final T result = attempt.attempt();
                if (result != null)
                {
                    return result;
                }
            }
            catch (final GiveUp never)
            {
                throw never;
            }
            catch (final IOException notYet)
            {
                last = notYet;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                throw new IOException("timed out after " + timeout.toMillis() + " ms waiting until " + what, last);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Start a child server with its output appended to {@code log}, and wait until {@code ready} says it is. If it
     * exits first, or is not ready by the deadline (then it is killed), the error ends with the log's tail.
     */
    static Process launch(final String name, final ProcessBuilder builder, final Path log, final Duration timeout,
        final Attempt<Boolean> ready) throws IOException, InterruptedException
    {
        Files.writeString(log, "---- starting: " + String.join(" ", builder.command()) + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        final Process process = builder.redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        try
        {
            await(name + " is ready", timeout, () ->
            {
                if (!process.isAlive())
                {
                    throw new GiveUp(name + " exited with status " + process.exitValue() + " while starting");
                }
                return ready.attempt() ? Boolean.TRUE : null;
            });
            return process;
        }
        catch (final IOException ex)
        {
            stop(name, process, Duration.ZERO);
            throw new IOException(ex.getMessage() + "; log " + log + " ends:\n" + tail(log), ex);
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            stop(name, process, Duration.ZERO);
            throw ex;
        }
    }

    /**
     * Stop a child server: a plain termination request first when {@code grace} is positive (the server may save
     * its state), SIGKILL when that is not answered within it, and its children with it. Waits uninterruptibly but
     * never without bound; an interrupt that arrives meanwhile is kept for the caller.
     *
     * @throws IllegalStateException when the process is still alive {@link #KILL_TIMEOUT} after SIGKILL.
     */
    static void stop(final String name, final Process process, final Duration grace)
    {
        final List<ProcessHandle> children = process.toHandle().descendants().toList();
        boolean interrupted = false;
        if (!grace.isZero())
        {
            process.destroy();
            interrupted = waitFor(process, grace);
        }
        process.destroyForcibly();
        interrupted |= waitFor(process, KILL_TIMEOUT);
        children.forEach(ProcessHandle::destroyForcibly);
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive())
        {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") is still alive " +
                KILL_TIMEOUT.toSeconds() + " s after SIGKILL");
        }
    }

    /** @return whether an interrupt came while waiting (the wait itself goes on until exit or the timeout). */
    private static boolean waitFor(final Process process, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        while (process.isAlive() && deadline - System.nanoTime() > 0)
        {
            try
            {
                process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        return interrupted;
    }

    /**
     * @param connectTimeoutMs and {@code readTimeoutMs} bound the one request.
     * @return the HTTP status {@code url} answers a GET with (its body read and dropped), or -1 when nothing answers.
     */
    static int httpStatus(final URL url, final int connectTimeoutMs, final int readTimeoutMs)
    {
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)url.openConnection();
            connection.setConnectTimeout(connectTimeoutMs);
            connection.setReadTimeout(readTimeoutMs);
            try
            {
                final int status = connection.getResponseCode();
                try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream())
                {
                    if (body != null)
                    {
                        body.readAllBytes();
                    }
                }
                return status;
            }
            finally
            {
                connection.disconnect();
            }
        }
        catch (final IOException notYet)
        {
            return -1;
        }
    }

    /** @return the last lines of a log file, for an exception message. */
    static String tail(final Path log)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(log);
            final int from = Math.max(0, bytes.length - LOG_TAIL_BYTES);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** What an attempt throws when waiting longer is pointless (the server died): {@link #await} ends at once. */
    static final class GiveUp extends IOException
    {
        private static final long serialVersionUID = 1L;

        GiveUp(final String message)
        {
            super(message);
        }
    }
}
