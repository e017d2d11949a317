package dev.spindle.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a test server. In {@link Mode#PASS} it copies bytes both ways untouched; in
 * {@link Mode#FAIL_503} it answers every new request with {@code 503 Service Unavailable} and closes the
 * connection, the way a throttled or overloaded object store does. Switching mode cuts the open
 * connections so that a client's pooled keep-alive connection cannot bypass the new mode.
 */
public final class FaultProxy implements AutoCloseable
{
    public enum Mode
    {
        /** Forward to the server. */
        PASS,
        /** Answer every request with 503 Slow Down. */
        FAIL_503,
        /** Reset every connection, as a crashed server's host would. */
        DOWN
    }

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong rejected = new AtomicLong();
    private final Thread acceptor;
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    public FaultProxy(final int targetPort) throws IOException
    {
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "fault-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port()
    {
        return server.getLocalPort();
    }

    /** @return requests answered with 503 so far. */
    public long rejected()
    {
        return rejected.get();
    }

    public Mode mode()
    {
        return mode;
    }

    public void mode(final Mode mode)
    {
        this.mode = mode;
        cutConnections();
    }

    /** Reset every open connection (as a server crash would). */
    public void cutConnections()
    {
        for (final Socket socket : open)
        {
            closeQuietly(socket);
        }
        open.clear();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket client = server.accept();
                client.setTcpNoDelay(true);
                if (mode == Mode.DOWN)
                {
                    closeQuietly(client);
                    continue;
                }
                open.add(client);
                if (mode == Mode.FAIL_503)
                {
                    start(() -> reject(client));
                }
                else
                {
                    start(() -> pass(client));
                }
            }
            catch (final IOException ex)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    private static void start(final Runnable task)
    {
        final Thread thread = new Thread(task, "fault-proxy-conn");
        thread.setDaemon(true);
        thread.start();
    }

    private void reject(final Socket client)
    {
        try (client)
        {
            final InputStream in = client.getInputStream();
            // read the request head so the client is not cut off mid-header, then refuse
            int last = 0;
            int b;
            while ((b = in.read()) >= 0 && last != 0x0D0A0D0A)
            {
                last = (last << 8) | b;
                if (last == 0x0D0A0D0A)
                {
                    break;
                }
            }
            rejected.incrementAndGet();
            final OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: 0\r\n" +
                "Retry-After: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            client.shutdownOutput();
        }
        catch (final IOException ignored)
        {
            // the client went away: nothing to do
        }
        finally
        {
            open.remove(client);
        }
    }

    private void pass(final Socket client)
    {
        final Socket target;
        try
        {
            target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            target.setTcpNoDelay(true);
        }
        catch (final IOException ex)
        {
            open.remove(client);
            closeQuietly(client);   // the server is down: the client sees a reset connection
            return;
        }
        open.add(target);
        start(() -> copy(client, target));
        copy(target, client);
    }

    private void copy(final Socket from, final Socket to)
    {
        final byte[] buffer = new byte[64 * 1024];
        try
        {
            final InputStream in = from.getInputStream();
            final OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0)
            {
                out.write(buffer, 0, n);
                out.flush();
            }
        }
        catch (final IOException ignored)
        {
            // one side closed or was cut
        }
        finally
        {
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        cutConnections();
    }
}
