package dev.spindle.fs.gcs;

import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.GcsTestServer;
import dev.spindle.testkit.WalFileSystemContract;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link WalFileSystemContract} against the GCS test server, through the real client.
 */
class GcsFileSystemTest extends WalFileSystemContract
{
    private static final AtomicInteger ROOTS = new AtomicInteger();

    @Override
    protected WalFileSystem open(final String prefix) throws Exception
    {
        final GcsTestServer server = GcsTestServer.shared();
        final Map<String, String> settings = new HashMap<>(server.settings());
        settings.put("list_page_size", Integer.toString(PAGE_SIZE));
        final String root = "contract-" + ProcessHandle.current().pid() + "-" + ROOTS.incrementAndGet() + "/" + prefix;
        return WalFileSystems.provider("gcs").orElseThrow().open(URI.create(server.url(root)), settings);
    }
}
