package dev.spindle.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The routes of the GCS test server: the JSON API for object metadata, listing and deletion, media downloads
 * with {@code Range}, and the upload API (handed to {@link GcsUploads}). Paths and parameters follow the public
 * Cloud Storage JSON API reference; anything Spindle does not use answers 501, so a test never passes on a
 * feature the server only pretends to have.
 */
final class GcsHandler implements HttpHandler
{
    private static final String API = "/storage/v1/b/";
    private static final String DOWNLOAD = "/download/storage/v1/b/";
    private static final String UPLOAD = "/upload/storage/v1/b/";
    private static final int MAX_PAGE = 1000;

    private final GcsStore store;
    private final GcsUploads uploads;
    private final boolean trace;

    GcsHandler(final GcsStore store, final boolean trace)
    {
        this.store = store;
        this.uploads = new GcsUploads(store, trace);
        this.trace = trace;
    }

    @Override
    public void handle(final HttpExchange httpExchange) throws IOException
    {
        final GcsExchange exchange = new GcsExchange(httpExchange);
        if (trace)
        {
            System.err.println("[gcs-test-server] " + exchange.method() + " " + httpExchange.getRequestURI() +
                " " + httpExchange.getRequestHeaders().entrySet());
        }
        try
        {
            route(exchange);
        }
        catch (final GcsError error)
        {
            exchange.sendError(error);
        }
        catch (final RuntimeException ex)
        {
            exchange.sendError(new GcsError(500, "backendError", "test server failure: " + ex));
        }
        finally
        {
            httpExchange.close();
        }
    }

    private void route(final GcsExchange exchange) throws IOException
    {
        final String path = exchange.rawPath();
        if (path.startsWith(UPLOAD))
        {
            uploads.handle(exchange, path.substring(UPLOAD.length()));
            return;
        }
        final String rest = path.startsWith(API) ? path.substring(API.length()) :
            path.startsWith(DOWNLOAD) ? path.substring(DOWNLOAD.length()) : null;
        if (rest == null || rest.isEmpty())
        {
            throw new GcsError(404, "notFound", "Not Found: " + path);
        }
        final int slash = rest.indexOf('/');
        final String bucket = GcsExchange.decodePath(slash < 0 ? rest : rest.substring(0, slash));
        final String tail = slash < 0 ? "" : rest.substring(slash);
        final String method = exchange.method();
        if (tail.isEmpty() && "GET".equals(method))
        {
            getBucket(exchange, bucket);
        }
        else if (("/o".equals(tail) || "/o/".equals(tail)) && "GET".equals(method))
        {
            list(exchange, bucket);
        }
        else if (tail.startsWith("/o/") && tail.length() > 3)
        {
            final String name = GcsExchange.decodePath(tail.substring(3));
            switch (method)
            {
                case "GET" -> get(exchange, bucket, name);
                case "DELETE" -> delete(exchange, bucket, name);
                default -> throw new GcsError(501, "notImplemented", method + " on an object is not implemented");
            }
        }
        else
        {
            throw new GcsError(501, "notImplemented", method + " " + exchange.rawPath() + " is not implemented");
        }
    }

    private void getBucket(final GcsExchange exchange, final String bucket) throws IOException
    {
        if (!store.hasBucket(bucket))
        {
            throw new GcsError(404, "notFound", "The specified bucket does not exist.");
        }
        exchange.sendJson(200, "{\"kind\":\"storage#bucket\",\"id\":" + GcsJson.quote(bucket) + ",\"name\":" +
            GcsJson.quote(bucket) + ",\"location\":\"US\",\"storageClass\":\"STANDARD\",\"metageneration\":\"1\"}");
    }

    private void get(final GcsExchange exchange, final String bucket, final String name) throws IOException
    {
        final GcsStore.StoredObject object = store.get(bucket, name);
        if (object == null)
        {
            throw new GcsError(404, "notFound", "No such object: " + bucket + "/" + name);
        }
        GcsConditions.from(exchange.query()).check(object);
        if ("media".equals(exchange.query("alt")))
        {
            download(exchange, object);
        }
        else
        {
            exchange.sendJson(200, object.json());
        }
    }

    /** {@code alt=media}: the bytes, or the one range of {@code Range: bytes=a-b | a- | -n} (206). */
    private static void download(final GcsExchange exchange, final GcsStore.StoredObject object) throws IOException
    {
        final long size = object.size();
        exchange.setHeader("x-goog-generation", Long.toString(object.generation()));
        exchange.setHeader("x-goog-metageneration", Long.toString(object.metageneration()));
        exchange.setHeader("x-goog-stored-content-length", Long.toString(size));
        exchange.setHeader("x-goog-stored-content-encoding", "identity");
        exchange.setHeader("x-goog-storage-class", "STANDARD");
        exchange.setHeader("x-goog-hash", "crc32c=" + object.crc32c() + ",md5=" + object.md5Hash());
        exchange.setHeader("ETag", object.etag());
        exchange.setHeader("Accept-Ranges", "bytes");
        final long[] range = range(exchange.header("Range"), size);
        if (range == null)
        {
            exchange.send(200, object.contentType(), object.data(), 0, (int)size);
            return;
        }
        if (range.length == 0)
        {
            exchange.setHeader("Content-Range", "bytes */" + size);
            exchange.sendJson(416, GcsJson.error(416, "requestedRangeNotSatisfiable",
                "The requested range cannot be satisfied."));
            return;
        }
        exchange.setHeader("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
        exchange.send(206, object.contentType(), object.data(), (int)range[0], (int)(range[1] - range[0] + 1));
    }

    /** @return null for the whole object, an empty array when unsatisfiable, else {first, last} inclusive. */
    private static long[] range(final String header, final long size)
    {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0 || size == 0)
        {
            return null;
        }
        final String spec = header.substring(6).trim();
        final int dash = spec.indexOf('-');
        if (dash < 0)
        {
            return null;
        }
        try
        {
            if (dash == 0)
            {
                final long suffix = Long.parseLong(spec.substring(1));
                return suffix == 0 ? new long[0] : new long[] {Math.max(0, size - suffix), size - 1};
            }
            final long first = Long.parseLong(spec.substring(0, dash));
            final long last = dash == spec.length() - 1 ? size - 1 :
                Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            return first >= size ? new long[0] : first > last ? null : new long[] {first, last};
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private void delete(final GcsExchange exchange, final String bucket, final String name) throws IOException
    {
        if (!store.delete(bucket, name, GcsConditions.from(exchange.query())))
        {
            throw new GcsError(404, "notFound", "No such object: " + bucket + "/" + name);
        }
        exchange.sendEmpty(204);
    }

    /** {@code prefix}, {@code maxResults} (at most 1000) and an opaque {@code pageToken}; no delimiter, no versions. */
    private void list(final GcsExchange exchange, final String bucket) throws IOException
    {
        if (exchange.query("delimiter") != null || "true".equals(exchange.query("versions")) ||
            exchange.query("matchGlob") != null)
        {
            throw new GcsError(501, "notImplemented", "delimiter, versions and matchGlob are not implemented");
        }
        final String prefix = exchange.query().getOrDefault("prefix", "");
        final String maxResults = exchange.query("maxResults");
        final int max;
        try
        {
            max = maxResults == null ? MAX_PAGE : Math.min(MAX_PAGE, Integer.parseInt(maxResults));
        }
        catch (final NumberFormatException ex)
        {
            throw new GcsError(400, "invalid", "Invalid value for maxResults: " + maxResults);
        }
        if (max <= 0)
        {
            throw new GcsError(400, "invalid", "Invalid value for maxResults: " + maxResults);
        }
        final String token = exchange.query("pageToken");
        final String after = token == null || token.isEmpty() ? null :
            new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        final List<GcsStore.StoredObject> found = store.list(bucket, prefix, after, max + 1);
        final StringBuilder json = new StringBuilder("{\"kind\":\"storage#objects\"");
        final int shown = Math.min(max, found.size());
        if (found.size() > max)
        {
            final String last = found.get(max - 1).name();
            json.append(",\"nextPageToken\":").append(GcsJson.quote(
                Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8))));
        }
        if (shown > 0)
        {
            json.append(",\"items\":[");
            for (int i = 0; i < shown; i++)
            {
                json.append(i == 0 ? "" : ",").append(found.get(i).json());
            }
            json.append(']');
        }
        exchange.sendJson(200, json.append('}').toString());
    }
}
