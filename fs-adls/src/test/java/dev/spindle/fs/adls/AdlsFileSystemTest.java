package dev.spindle.fs.adls;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.AzuriteServer;
import dev.spindle.testkit.WalFileSystemContract;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPI contract and what is particular to Azure (large block uploads, directory markers, names that are not
 * keys), against Azurite through its fault proxy.
 */
class AdlsFileSystemTest extends WalFileSystemContract
{
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @Override
    protected WalFileSystem open(final String prefix) throws Exception
    {
        return openAt(prefix + "-" + PREFIXES.incrementAndGet());
    }

    private static WalFileSystem openAt(final String path) throws Exception
    {
        final AzuriteServer server = AzuriteServer.shared();
        final Map<String, String> settings = new HashMap<>(server.settings());
        settings.put("list_page_size", Integer.toString(PAGE_SIZE));
        return WalFileSystems.provider("adls").orElseThrow().open(URI.create(server.url(path)), settings);
    }

    /** A client of the whole test container, to put blobs Spindle itself would not. */
    private static BlobContainerClient rawContainer() throws Exception
    {
        final AzuriteServer server = AzuriteServer.shared();
        return new BlobServiceClientBuilder()
            .endpoint(server.endpoint())
            .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY))
            .buildClient()
            .getBlobContainerClient(AzuriteServer.CONTAINER);
    }

    @Test
    void shouldPutA64MiBObjectInBlocksReadItBackAndRefuseADifferentOneUnderItsKey() throws Exception
    {
        try (WalFileSystem fs = open("large64"))
        {
            final int size = 64 * 1024 * 1024;
            final Path source = file("big64", size, 64);
            assertTrue(fs.putIfAbsent("c/big.avro", source));
            assertEquals(size, fs.size("c/big.avro"));
            assertArrayEquals(Files.readAllBytes(source), readAll(fs, "c/big.avro", size));
            assertFalse(fs.putIfAbsent("c/big.avro", source), "the same object again: nothing to do");

            final FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class,
                () -> fs.putIfAbsent("c/big.avro", file("small", 1024, 65)));
            assertTrue(refused.getMessage().contains("c/big.avro"), refused.getMessage());
            assertTrue(refused.getMessage().contains(Integer.toString(size)), refused.getMessage());
            assertTrue(refused.getMessage().contains("1024"), refused.getMessage());
            assertEquals(size, fs.size("c/big.avro"), "the first object is untouched");
        }
    }

    @Test
    void shouldReadNothingAtOrPastTheEndWhateverTheBuffer() throws Exception
    {
        try (WalFileSystem fs = open("ends"))
        {
            fs.putIfAbsent("c/k", file("k", 1000, 11));
            fs.putIfAbsent("c/empty", file("empty", 0, 12));
            assertEquals(-1, fs.read("c/k", 1000, ByteBuffer.allocateDirect(10)));
            assertEquals(-1, fs.read("c/k", 5000, ByteBuffer.allocate(10)));
            assertEquals(-1, fs.read("c/empty", 0, ByteBuffer.allocate(10)));
            assertEquals(0, fs.size("c/empty"));
            assertEquals(0, fs.read("c/k", 999, ByteBuffer.allocate(0)));
            assertEquals(-1, fs.read("c/k", 1000, ByteBuffer.allocate(0)));
            final ByteBuffer last = ByteBuffer.allocate(10);
            last.position(3);
            assertEquals(1, fs.read("c/k", 999, last));
            assertEquals(4, last.position(), "the read lands at the buffer's position");
            assertThrows(NoSuchFileException.class, () -> fs.read("c/missing", 0, ByteBuffer.allocate(0)));
        }
    }

    @Test
    void shouldSeeTheSameDataThroughTheAdlsAndAbfssForms() throws Exception
    {
        final AzuriteServer server = AzuriteServer.shared();
        final String path = "forms-" + PREFIXES.incrementAndGet();
        try (WalFileSystem adls = openAt(path);
            WalFileSystem abfss = WalFileSystems.provider("abfss").orElseThrow().open(
                URI.create("abfss://" + AzuriteServer.CONTAINER + "@" + AzuriteServer.ACCOUNT +
                    ".dfs.core.windows.net/" + path), server.settings()))
        {
            adls.putIfAbsent("c/k", file("k", 42, 9));
            assertEquals(42, abfss.size("c/k"));
            assertEquals(List.of("c/k"), abfss.list("", null).keys());
        }
    }

    @Test
    void shouldSkipDirectoryMarkersAndNamesThatAreNotKeys() throws Exception
    {
        final String path = "odd-" + PREFIXES.incrementAndGet();
        try (WalFileSystem fs = openAt(path))
        {
            fs.putIfAbsent("c/good", file("g", 3, 10));
            final BlobContainerClient raw = rawContainer();
            raw.getBlobClient(path + "/c//double-slash").upload(BinaryData.fromString("x"));
            raw.getBlobClient(path + "/c/dir").uploadWithResponse(
                new BlobParallelUploadOptions(BinaryData.fromBytes(new byte[0]))
                    .setMetadata(Map.of("hdi_isfolder", "true")), null, null);

            assertEquals(List.of("c/good"), fs.list("c/", null).keys());
            assertEquals(-1, fs.size("c/dir"), "an ADLS Gen2 directory is not a key");
        }
    }

    @Test
    void shouldKeepTheAccountKeyOutOfItsDescription() throws Exception
    {
        try (WalFileSystem fs = open("describe"))
        {
            assertFalse(fs.toString().contains(AzuriteServer.ACCOUNT_KEY), fs.toString());
            assertTrue(fs.toString().contains("account_key"), fs.toString());
        }
    }
}
