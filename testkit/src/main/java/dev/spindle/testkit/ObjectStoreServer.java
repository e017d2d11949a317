package dev.spindle.testkit;

import java.util.Map;

/**
 * A real server of one object-store protocol, started by the tests themselves (S3Mock, Azurite, the GCS
 * test server). It can be stopped and started again on the same port with its data kept, which is how the
 * tests kill a server in the middle of an upload; and it sits behind a {@link FaultProxy}, so a test can make
 * it answer 503 for a while.
 */
public interface ObjectStoreServer extends AutoCloseable
{
    /**
     * @param backend {@code s3}, {@code adls} or {@code gcs}.
     * @return the server of that backend shared by the test run, started on first use.
     */
    static ObjectStoreServer shared(final String backend) throws Exception
    {
        switch (backend)
        {
            case "s3":
                return S3MockServer.shared();
            case "adls":
                return AzuriteServer.shared();
            case "gcs":
                return GcsTestServer.shared();
            default:
                throw new IllegalArgumentException("no test server for the backend " + backend);
        }
    }

    /** @return the backend section name: {@code s3}, {@code adls} or {@code gcs}. */
    String backend();

    /**
     * @param path a path under the server's test bucket/container, e.g. {@code "wal"}.
     * @return a {@code wal_urls} entry for it, e.g. {@code s3://spindle-test/wal}.
     */
    String url(String path);

    /**
     * @return the settings of {@code [storage.wal_config.<backend>]} that point a client at this server
     * (through its fault proxy), secrets included as plain values: tests pass them to the provider directly.
     */
    Map<String, String> settings();

    /**
     * @return the keys of {@link #settings()} that are secrets, each with the variable of {@link #environment()}
     *     that holds it: a configuration file names the variable, never the value.
     */
    default Map<String, String> secretReferences()
    {
        return Map.of();
    }

    /**
     * @return the table header and the settings of {@link #settings()} as TOML strings, one per line, secrets as
     *     {@code ${ENV}} references resolvable from {@link #environment()}.
     */
    default String tomlSection()
    {
        final StringBuilder toml = new StringBuilder("[storage.wal_config.").append(backend()).append("]\n");
        settings().forEach((key, value) ->
        {
            final String reference = secretReferences().get(key);
            toml.append(key).append(" = \"").append(reference == null ? value : "${" + reference + "}").append("\"\n");
        });
        return toml.toString();
    }

    /** @return environment variables a child process needs to reach the server (credentials). */
    Map<String, String> environment();

    /** @return the proxy in front of the server: switch it to answer 503, or cut its connections. */
    FaultProxy proxy();

    /** Stop the server abruptly (connections reset, in-flight uploads fail); its data is kept. */
    void stop() throws Exception;

    /** Start it again on the same port with the same data. */
    void start() throws Exception;

    @Override
    void close() throws Exception;
}
