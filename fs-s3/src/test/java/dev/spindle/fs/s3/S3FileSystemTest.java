package dev.spindle.fs.s3;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.S3MockServer;
import dev.spindle.testkit.WalFileSystemContract;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SPI contract against S3Mock, through its fault proxy, with a small listing page so that paging is exercised.
 */
class S3FileSystemTest extends WalFileSystemContract
{
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static S3MockServer server;

    /** Each test gets its own prefix: the server and its data are shared by every test of this JVM. */
    private final String run = "contract-" + RUNS.incrementAndGet();

    @BeforeAll
    static void startServer() throws Exception
    {
        server = S3MockServer.shared();
    }

    @Override
    protected WalFileSystem open(final String prefix) throws Exception
    {
        final Map<String, String> settings = new HashMap<>(server.settings());
        settings.put("list_page_size", Integer.toString(PAGE_SIZE));
        return WalFileSystems.provider("s3").orElseThrow().open(URI.create(server.url(run + "/" + prefix)), settings);
    }
}
