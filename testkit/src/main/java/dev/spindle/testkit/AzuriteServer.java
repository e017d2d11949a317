package dev.spindle.testkit;

import dev.spindle.fs.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Azurite, Microsoft's Azure storage emulator (blob service only), as a child process behind a {@link FaultProxy}.
 * Installed from npm on first use (see {@link AzuriteInstall}); data on disk under a temporary directory, so
 * {@link #stop()} and {@link #start()} keep it, on the same port.
 *
 * <p>Design note: Azurite writes its metadata to disk only every 5 s, so a plain SIGKILL loses blobs it has
 * already acknowledged, which would make a test of Spindle's uploader fail for the emulator's sake. {@link #stop()}
 * therefore sends SIGTERM, which a small script loaded into Azurite ({@code azurite-save-on-kill.js}) turns into a
 * synchronous save followed by SIGKILL in the same event-loop tick: everything acknowledged survives, nothing in
 * flight is answered, connections are reset, which is how a durable store crashes.
 */
public final class AzuriteServer implements ObjectStoreServer
{
    public static final String ACCOUNT = "devstoreaccount1";
    /** The well-known key of Azurite's default account (published by Microsoft; not a secret). */
    public static final String ACCOUNT_KEY =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** The environment variable {@link #tomlSection()} names for the key. */
    public static final String KEY_ENV = "AZURE_STORAGE_KEY";
    public static final String CONTAINER = "spindle-test";

    private static final String PRELOAD = "azurite-save-on-kill.js";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long the preloaded script may take to save Azurite's metadata before SIGKILL. */
    private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(10);
    private static AzuriteServer shared;

    private final Path home;
    private final Path dir;
    private final Path log;
    private final int port;
    private final FaultProxy proxy;
    private Process process;

    private AzuriteServer(final Path home, final Path dir, final int port) throws IOException
    {
        this.home = home;
        this.dir = dir;
        this.log = dir.resolve("azurite.log");
        this.port = port;
        this.proxy = new FaultProxy(port);
    }

    /** Install Azurite if needed and start a new server with an empty store in a fresh temporary directory. */
    public static AzuriteServer launch() throws Exception
    {
        final Path home = AzuriteInstall.ensureInstalled();
        final Path dir = Files.createTempDirectory("spindle-azurite-");
        Files.createDirectories(dir.resolve("data"));
        try (InputStream script = AzuriteServer.class.getResourceAsStream(PRELOAD))
        {
            if (script == null)
            {
                throw new IllegalStateException("resource " + PRELOAD + " missing from the test kit jar");
            }
            Files.copy(script, dir.resolve(PRELOAD), StandardCopyOption.REPLACE_EXISTING);
        }
        final AzuriteServer server = new AzuriteServer(home, dir, ServerFiles.freePort());
        try
        {
            server.start();
        }
        catch (final Exception ex)
        {
            server.close();
            throw ex;
        }
        return server;
    }

    /** @return one server per JVM, started on first use and closed when the JVM exits. */
    public static synchronized AzuriteServer shared() throws Exception
    {
        if (shared == null)
        {
            final AzuriteServer server = launch();
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                try
                {
                    server.close();
                }
                catch (final Exception ignored)
                {
                    // the JVM is exiting
                }
            }, "azurite-shutdown"));
            shared = server;
        }
        return shared;
    }

    @Override
    public String backend()
    {
        return "adls";
    }

    @Override
    public String url(final String path)
    {
        final String relative = path.startsWith("/") ? path.substring(1) : path;
        return "adls://" + ACCOUNT + ".dfs.core.windows.net/" + CONTAINER + (relative.isEmpty() ? "" : "/" + relative);
    }

    /** @return the blob endpoint through the proxy, e.g. {@code http://127.0.0.1:40123/devstoreaccount1}. */
    public String endpoint()
    {
        return "http://127.0.0.1:" + proxy.port() + "/" + ACCOUNT;
    }

    @Override
    public Map<String, String> settings()
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("endpoint", endpoint());
        settings.put("account_key", ACCOUNT_KEY);
        settings.put("create_container", "true");
        return settings;
    }

    @Override
    public Map<String, String> secretReferences()
    {
        return Map.of("account_key", KEY_ENV);
    }

    @Override
    public Map<String, String> environment()
    {
        return Map.of(KEY_ENV, ACCOUNT_KEY);
    }

    @Override
    public FaultProxy proxy()
    {
        return proxy;
    }

    /** @return Azurite's output, appended across restarts. */
    public Path logFile()
    {
        return log;
    }

    @Override
    public synchronized void start() throws IOException, InterruptedException
    {
        if (process != null && process.isAlive())
        {
            return;
        }
        final ProcessBuilder builder = new ProcessBuilder(List.of(AzuriteInstall.node(),
            home.resolve(AzuriteInstall.BLOB_SERVER).toString(), "--blobHost", "127.0.0.1", "--blobPort",
            Integer.toString(port), "--location", dir.resolve("data").toString(),
            "--disableTelemetry", "--skipApiVersionCheck"));
        builder.environment().put("NODE_OPTIONS", "--require \"" + dir.resolve(PRELOAD) + "\"");
        builder.environment().put("SPINDLE_LOKIJS", home.resolve(AzuriteInstall.LOKIJS).toString());
        // any HTTP answer will do: unauthenticated calls get 403
        final URL probe = new URL("http://127.0.0.1:" + port + "/" + ACCOUNT + "?comp=list");
        process = ServerStart.launch("Azurite on port " + port, builder, log, START_TIMEOUT,
            () -> ServerStart.httpStatus(probe, 1000, 1000) >= 0);
    }

    /** SIGTERM, which the preloaded script turns into a synchronous save and SIGKILL; SIGKILL after 10 s. */
    @Override
    public synchronized void stop()
    {
        if (process == null)
        {
            return;
        }
        final Process dying = process;
        process = null;
        try
        {
            ServerStart.stop("Azurite", dying, SAVE_TIMEOUT);
        }
        finally
        {
            proxy.cutConnections();
        }
    }

    @Override
    public synchronized void close() throws IOException
    {
        try
        {
            stop();
        }
        finally
        {
            proxy.close();
            Directories.deleteTree(dir);
        }
    }
}
