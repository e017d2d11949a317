package dev.spindle.wal.internal.remote;

import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.wal.WalException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns {@code wal_urls} entries into lane directories: {@code file:///abs/path} or a plain path
 * (relative paths resolve against the working directory). Remote schemes name the module that serves
 * them; anything else is refused with the list of what is accepted. Two lanes may not share a
 * directory or nest one inside the other (a lane would read the other as a collection).
 */
public final class LaneUrls
{
    private static final String ACCEPTED =
        "a path, file:///absolute/path, s3://, adls://, abfs://, abfss://, gcs:// or gs://";

    private LaneUrls()
    {
    }

    /**
     * @return one absolute, normalized directory per URL.
     * @throws WalException naming the entry ({@code wal_urls[i]}) and what is wrong.
     */
    public static List<Path> resolve(final List<String> urls)
    {
        return resolve(urls, null);
    }

    /**
     * @param stagingDir where remote lanes keep their active segments ({@code staging_dir}); null refuses
     *     remote URLs.
     * @return one absolute, normalized directory per URL: the lane's own, or its staging directory.
     */
    public static List<Path> resolve(final List<String> urls, final Path stagingDir)
    {
        final List<Path> roots = new ArrayList<>();
        final List<String> remotePrefixes = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++)
        {
            final String url = urls.get(i);
            if (stagingDir != null && isRemote(url))
            {
                checkSyntax(i, url);
                final String prefix = remotePrefix(url);
                for (int j = 0; j < remotePrefixes.size(); j++)
                {
                    final String other = remotePrefixes.get(j);
                    if (other != null && (prefix.startsWith(other) || other.startsWith(prefix)))
                    {
                        throw new WalException("wal_urls[" + i + "] (" + url + ") and wal_urls[" + j + "] (" +
                            urls.get(j) + ") share or nest a bucket prefix: each remote lane needs its own");
                    }
                }
                remotePrefixes.add(prefix);
                roots.add(stagingDir.toAbsolutePath().normalize().resolve(stagingName(url)));
                continue;
            }
            remotePrefixes.add(null);
            final Path root = resolve(i, url);
            for (int j = 0; j < roots.size(); j++)
            {
                final Path other = roots.get(j);
                if (other.equals(root))
                {
                    throw new WalException("wal_urls[" + i + "] (" + urls.get(i) + ") is the same directory as wal_urls[" +
                        j + "] (" + urls.get(j) + "): each lane needs its own directory");
                }
                if (root.startsWith(other) || other.startsWith(root))
                {
                    throw new WalException("wal_urls[" + i + "] (" + root + ") and wal_urls[" + j + "] (" + other +
                        ") are nested: lane directories may not contain one another");
                }
            }
            roots.add(root);
        }
        return roots;
    }

    /**
     * @return whether Spindle knows {@code scheme} (a module of its own serves it) or a backend on the classpath
     *     serves it.
     */
    private static boolean supported(final String scheme)
    {
        return WalFileSystems.isKnownScheme(scheme) || WalFileSystems.provider(scheme).isPresent();
    }

    /**
     * @return whether {@code url} names an object store (s3, adls, abfs, abfss, gcs, gs).
     */
    public static boolean isRemote(final String url)
    {
        final int colon = url.indexOf("://");
        if (colon < 0)
        {
            return false;
        }
        final String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        return !"file".equals(scheme) && supported(scheme);
    }

    /**
     * @return the backend section of a remote URL ({@code [storage.wal_config.<section>]}), as its provider
     *     declares it (gs:// and gcs:// are both {@code gcs}); the scheme itself when no provider serves it.
     */
    public static String backend(final String url)
    {
        final String scheme = url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT);
        return WalFileSystems.provider(scheme).map(WalFileSystemProvider::section).orElse(scheme);
    }

    /**
     * @return the name of a per-bucket (or per-account) override table for a remote URL: the bucket for s3 and
     *     gcs, the storage account for adls/abfs ({@code account.dfs.core.windows.net} or
     *     {@code container@account.dfs.core.windows.net}).
     */
    public static String target(final String url)
    {
        final String rest = url.substring(url.indexOf("://") + 3);
        final int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (!"adls".equals(backend(url)))
        {
            return authority;
        }
        final int at = authority.indexOf('@');
        if (at >= 0)
        {
            authority = authority.substring(at + 1);
        }
        final int dot = authority.indexOf('.');
        return dot < 0 ? authority : authority.substring(0, dot);
    }

    /** @return backend, authority and path of a remote URL, '/'-terminated, for overlap checks. */
    private static String remotePrefix(final String url)
    {
        String rest = url.substring(url.indexOf("://") + 3).replaceAll("/{2,}", "/");
        while (rest.endsWith("/"))
        {
            rest = rest.substring(0, rest.length() - 1);
        }
        return backend(url) + "://" + rest + "/";
    }

    /**
     * @return the staging directory name of a remote lane: readable (scheme, bucket, path with anything but
     *     {@code [A-Za-z0-9._-]} replaced) and unique (a CRC32C of the URL), the same at every open.
     */
    public static String stagingName(final String url)
    {
        // from the normalized prefix: s3://b/wal, s3://b/wal/ and S3://b//wal are one lane, one staging directory
        final String normalized = remotePrefix(url);
        String readable = normalized.substring(0, normalized.length() - 1).replaceFirst("://", "_")
            .replaceAll("[^A-Za-z0-9._-]", "_");
        if (readable.length() > 100)
        {
            readable = readable.substring(0, 100);
        }
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(normalized.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return readable + "-" + String.format("%08x", crc.getValue());
    }

    /**
     * Check one entry without needing any backend on the classpath: a path, or a URL of a scheme
     * Spindle knows, with a sane shape.
     *
     * @return the scheme ("file" for plain paths).
     * @throws WalException naming {@code wal_urls[index]} and what is wrong.
     */
    public static String checkSyntax(final int index, final String url)
    {
        if (url == null || url.isBlank())
        {
            throw new WalException("wal_urls[" + index + "] is empty: give a directory or URL");
        }
        if (url.indexOf('\0') >= 0)
        {
            throw new WalException("wal_urls[" + index + "] contains a NUL character");
        }
        final int colon = url.indexOf("://");
        if (colon < 0)
        {
            plainPath(index, url);
            return "file";
        }
        final String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!supported(scheme))
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": unsupported URL scheme '" + scheme +
                "'; use " + ACCEPTED);
        }
        if ("file".equals(scheme))
        {
            resolve(index, url);
            return scheme;
        }
        final String rest = url.substring(colon + 3);
        final int slash = rest.indexOf('/');
        final String authority = slash < 0 ? rest : rest.substring(0, slash);
        // a URL is logged and shown (stats, metrics' tags): it may carry no secret, so these messages quote none
        if (authority.indexOf('@') > 0 && authority.substring(0, authority.indexOf('@')).indexOf(':') >= 0)
        {
            throw new WalException("wal_urls[" + index + "] (a " + scheme + ":// URL) has a password in it: URLs are " +
                "logged; give credentials in [storage.wal_config." + scheme + "] or the environment");
        }
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0)
        {
            throw new WalException("wal_urls[" + index + "] (a " + scheme + ":// URL) has a query or fragment: URLs " +
                "are logged, and settings (a SAS token too) go in [storage.wal_config." + scheme + "]");
        }
        if (authority.isEmpty())
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": " + scheme + ":// needs a bucket, " +
                "container or account after the scheme");
        }
        for (final String part : rest.split("/"))
        {
            if (".".equals(part) || "..".equals(part))
            {
                throw new WalException("wal_urls[" + index + "] = \"" + url + "\": '.' and '..' are not allowed in URLs");
            }
        }
        return scheme;
    }

    static Path resolve(final int index, final String url)
    {
        if (url.indexOf('\0') >= 0)
        {
            throw new WalException("wal_urls[" + index + "] contains a NUL character");
        }
        final int colon = url.indexOf("://");
        if (colon < 0)
        {
            return plainPath(index, url);
        }
        final String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!"file".equals(scheme))
        {
            if (WalFileSystems.isKnownScheme(scheme))
            {
                throw new WalException("wal_urls[" + index + "] = \"" + url + "\": remote " + scheme + ":// lanes need " +
                    "the module " + WalFileSystems.MODULES.get(scheme) + " on the classpath, with a local staging_dir " +
                    "for active segments; this build has no backend for " + scheme + "://");
            }
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": unsupported URL scheme '" + scheme +
                "'; use " + ACCEPTED);
        }
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final URISyntaxException ex)
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\" is not a valid URL: " + ex.getMessage());
        }
        final String host = uri.getHost();
        if (host != null && !host.isEmpty() && !"localhost".equalsIgnoreCase(host))
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": file URLs must be local " +
                "(file:///absolute/path), not on host " + host);
        }
        final String path = uri.getPath();
        if (path == null || !path.startsWith("/") || path.equals("/"))
        {
            throw new WalException("wal_urls[" + index + "] = \"" + url + "\": a file URL needs an absolute path " +
                "below the root, e.g. file:///var/lib/spindle/wal");
        }
        return plainPath(index, path);
    }

    private static Path plainPath(final int index, final String path)
    {
        try
        {
            final Path p = Path.of(path).toAbsolutePath().normalize();
            if (p.getParent() == null)
            {
                throw new WalException("wal_urls[" + index + "] = \"" + path + "\": the file system root cannot be a lane");
            }
            return p;
        }
        catch (final InvalidPathException ex)
        {
            throw new WalException("wal_urls[" + index + "] = \"" + path + "\" is not a valid path: " + ex.getMessage());
        }
    }
}
