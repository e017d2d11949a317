package dev.spindle.testkit;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A <b>test server</b> for Google Cloud Storage: an in-process HTTP server (the JDK's {@link HttpServer}) that
 * speaks the subset of the Cloud Storage JSON and upload APIs that Spindle's GCS backend and the real
 * {@code google-cloud-storage} client use, written from Google's public API reference. It is not Google code
 * and not an emulator of the whole service; it exists because no GCS emulator runs offline on the build
 * machines (see {@code shared/EMULATORS.md}).
 *
 * <p>What it serves: media, multipart and resumable uploads (308 and {@code Range}, status queries, retried
 * chunks), {@code ifGenerationMatch=0} and the other generation preconditions (412), object resources with
 * generation, metageneration, CRC32C and MD5, metadata reads, {@code alt=media} downloads with {@code Range}
 * (206, 416 past the end), listing by prefix with {@code maxResults} and page tokens, deletion, and GCS-shaped
 * JSON error bodies. Gzipped request bodies are unpacked. The data lives in memory and survives
 * {@link #stop()} and {@link #start()}; the bucket {@value #BUCKET} exists from the start.
 *
 * <p>Clients reach it through a {@link FaultProxy}, so {@link #settings()} points at the proxy. Set the system
 * property {@code spindle.gcs.trace=true} to print every request line and its headers to stderr.
 */
public final class GcsTestServer implements ObjectStoreServer
{
    /** The bucket that exists from the start. */
    public static final String BUCKET = "spindle-test";
    /** The project id clients are configured with (the server ignores it). */
    public static final String PROJECT = "spindle-test";

    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static GcsTestServer shared;

    private final GcsStore store = new GcsStore();
    private final GcsHandler handler = new GcsHandler(store, Boolean.getBoolean("spindle.gcs.trace"));
    private final FaultProxy proxy;
    private int port;
    private HttpServer server;
    private ExecutorService executor;

    public GcsTestServer() throws IOException
    {
        store.createBucket(BUCKET);
        bind(0);
        proxy = new FaultProxy(port);
    }

    /** @return one server for the whole JVM, started on first use and closed when the JVM exits. */
    public static synchronized GcsTestServer shared()
    {
        if (shared == null)
        {
            try
            {
                shared = new GcsTestServer();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("could not start the GCS test server", ex);
            }
            final GcsTestServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.closeQuietly(), "gcs-test-server-close"));
        }
        return shared;
    }

    @Override
    public String backend()
    {
        return "gcs";
    }

    @Override
    public String url(final String path)
    {
        return "gcs://" + BUCKET + "/" + path;
    }

    /** @return the URL clients use: the fault proxy's, not the server's own port. */
    public String endpoint()
    {
        return "http://127.0.0.1:" + proxy.port();
    }

    @Override
    public Map<String, String> settings()
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("endpoint", endpoint());
        settings.put("project_id", PROJECT);
        settings.put("credentials", "none");
        return settings;
    }

    @Override
    public Map<String, String> environment()
    {
        return Map.of();
    }

    @Override
    public FaultProxy proxy()
    {
        return proxy;
    }

    /** Create another bucket (empty; a second call changes nothing). */
    public void createBucket(final String bucket)
    {
        store.createBucket(bucket);
    }

    /** @return how many times an object named {@code name} was created in {@value #BUCKET} (0 if never). */
    public long creations(final String name)
    {
        return store.creations(BUCKET, name);
    }

    /** @return resumable-upload {@code PUT}s that carried data, in all buckets, since the server was made. */
    public long resumableChunks()
    {
        return store.chunks();
    }

    /**
     * Run {@code action} once, on the server's thread, right after the {@code more}th data-carrying resumable
     * {@code PUT} from now has been committed and before it is answered: e.g. switch the proxy to 503 or
     * {@link #stop()} the server in the middle of an upload, at a known point.
     */
    public void afterChunks(final long more, final Runnable action)
    {
        store.afterChunks(more, action);
    }

    /** @return whether the HTTP server is running (it is between {@link #start()} and {@link #stop()}). */
    public synchronized boolean running()
    {
        return server != null;
    }

    @Override
    public synchronized void stop()
    {
        if (server == null)
        {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        proxy.cutConnections();
        server = null;
        executor = null;
    }

    @Override
    public synchronized void start() throws IOException
    {
        if (server == null)
        {
            bind(port);
        }
    }

    @Override
    public void close() throws IOException
    {
        stop();
        proxy.close();
    }

    private void closeQuietly()
    {
        try
        {
            close();
        }
        catch (final IOException ignored)
        {
            // the JVM is exiting
        }
    }

    /**
     * Bind {@code wanted} (0: any free port), retrying for up to {@link #BIND_TIMEOUT} while a just-closed listener
     * lets go of it.
     */
    private synchronized void bind(final int wanted) throws IOException
    {
        final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted);
        final HttpServer created;
        try
        {
            created = ServerStart.await("the GCS test server can bind " + address, BIND_TIMEOUT, () ->
            {
                try
                {
                    return HttpServer.create(address, 64);
                }
                catch (final BindException inUse)
                {
                    return null;
                }
            });
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while binding " + address);
        }
        final ExecutorService threads = Executors.newCachedThreadPool(task ->
        {
            final Thread thread = new Thread(task, "gcs-test-server-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        created.createContext("/", handler);
        created.setExecutor(threads);
        created.start();
        server = created;
        executor = threads;
        port = created.getAddress().getPort();
    }
}
