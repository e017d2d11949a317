package dev.spindle.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The upload API of the GCS test server ({@code /upload/storage/v1/b/<bucket>/o}): {@code uploadType=media}
 * (bytes only), {@code multipart} (a {@code multipart/related} body of JSON metadata and bytes) and
 * {@code resumable} (a session URI in {@code Location}, then {@code PUT}s with {@code Content-Range}).
 *
 * <p>Resumable sessions follow the documented protocol: a chunk {@code bytes a-b/*} is answered {@code 308}
 * with {@code Range: bytes=0-<last committed>}; a chunk or a bare {@code bytes *}{@code /total} that reaches
 * the total finalizes the object (preconditions are checked again, and the client's {@code x-goog-hash}
 * CRC32C is verified); {@code bytes *}{@code /*} asks how much is committed. Bytes the server has already are
 * skipped when a client resends them, so a retried chunk is harmless.
 */
final class GcsUploads
{
    private final GcsStore store;
    private final boolean trace;

    GcsUploads(final GcsStore store, final boolean trace)
    {
        this.store = store;
        this.trace = trace;
    }

    void handle(final GcsExchange exchange, final String rest) throws IOException
    {
        final int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(slash).startsWith("/o"))
        {
            throw new GcsError(404, "notFound", "Not Found: " + exchange.rawPath());
        }
        final String bucket = GcsExchange.decodePath(rest.substring(0, slash));
        final String uploadId = exchange.query("upload_id");
        if (uploadId != null)
        {
            session(exchange, uploadId);
            return;
        }
        if (!"POST".equals(exchange.method()))
        {
            throw new GcsError(405, "methodNotAllowed", exchange.method() + " needs an upload_id");
        }
        final String type = exchange.query().getOrDefault("uploadType", "media");
        switch (type)
        {
            case "media" -> media(exchange, bucket);
            case "multipart" -> multipart(exchange, bucket);
            case "resumable" -> start(exchange, bucket);
            default -> throw new GcsError(400, "invalid", "Invalid uploadType: " + type);
        }
    }

    private void media(final GcsExchange exchange, final String bucket) throws IOException
    {
        final String name = required(exchange.query("name"));
        final byte[] data = exchange.body();
        final GcsStore.StoredObject created = store.create(bucket, name, data, exchange.header("Content-Type"),
            GcsConditions.from(exchange.query()), hash(exchange, "crc32c"), hash(exchange, "md5"));
        exchange.sendJson(200, created.json());
    }

    private void multipart(final GcsExchange exchange, final String bucket) throws IOException
    {
        final String contentType = exchange.header("Content-Type");
        final String boundary = boundary(contentType);
        final byte[] body = exchange.body();
        final byte[][] parts = parts(body, boundary);
        if (parts.length != 2)
        {
            throw new GcsError(400, "invalid", "a multipart upload has 2 parts, this one has " + parts.length);
        }
        final String json = new String(content(parts[0]), StandardCharsets.UTF_8);
        if (trace)
        {
            System.err.println("[gcs-test-server]   metadata " + json + ", media part " + header(parts[1],
                "content-type") + ", " + content(parts[1]).length + " bytes");
        }
        final Map<String, Object> metadata = GcsJson.parseObject(json);
        final String name = required(metadata.containsKey("name") ? (String)metadata.get("name") :
            exchange.query("name"));
        final String mediaType = header(parts[1], "content-type");
        final String objectType = metadata.containsKey("contentType") ? (String)metadata.get("contentType") : mediaType;
        final String crc32c = metadata.containsKey("crc32c") ? (String)metadata.get("crc32c") : hash(exchange, "crc32c");
        final String md5 = metadata.containsKey("md5Hash") ? (String)metadata.get("md5Hash") : hash(exchange, "md5");
        final GcsStore.StoredObject created = store.create(bucket, name, content(parts[1]), objectType,
            GcsConditions.from(exchange.query()), crc32c, md5);
        exchange.sendJson(200, created.json());
    }

    /** POST {@code uploadType=resumable}: open a session, answer its URI in {@code Location}. */
    private void start(final GcsExchange exchange, final String bucket) throws IOException
    {
        final byte[] body = exchange.body();
        final String json = new String(body, StandardCharsets.UTF_8);
        if (trace)
        {
            System.err.println("[gcs-test-server]   metadata " + json);
        }
        final Map<String, Object> metadata = body.length == 0 ? Map.of() : GcsJson.parseObject(json);
        final String name = required(exchange.query("name") != null ? exchange.query("name") :
            (String)metadata.get("name"));
        final String contentType = metadata.containsKey("contentType") ? (String)metadata.get("contentType") :
            exchange.header("X-Upload-Content-Type");
        final GcsStore.Session session = store.openSession(bucket, name, contentType,
            GcsConditions.from(exchange.query()));
        exchange.setHeader("Location", exchange.origin() + exchange.rawPath() + "?uploadType=resumable&upload_id=" +
            session.id);
        exchange.setHeader("X-GUploader-UploadID", session.id);
        exchange.sendEmpty(200);
    }

    private void session(final GcsExchange exchange, final String uploadId) throws IOException
    {
        final GcsStore.Session session = store.session(uploadId);
        if (session == null)
        {
            throw new GcsError(404, "notFound", "No such upload session: " + uploadId);
        }
        if ("DELETE".equals(exchange.method()))
        {
            store.cancel(session);
            exchange.sendEmpty(499);
            return;
        }
        if (!"PUT".equals(exchange.method()))
        {
            throw new GcsError(405, "methodNotAllowed", exchange.method() + " on an upload session");
        }
        final String contentRange = exchange.header("Content-Range");
        final byte[] data = exchange.body();   // all of it before anything is committed: a cut chunk adds nothing
        synchronized (session)
        {
            if (session.failure != null)
            {
                throw session.failure;
            }
            if (session.result == null)
            {
                append(session, contentRange, data, exchange);
            }
            if (session.result != null)
            {
                exchange.sendJson(200, session.result.json());
                return;
            }
            if (session.committed() > 0)
            {
                exchange.setHeader("Range", "bytes=0-" + (session.committed() - 1));
            }
            exchange.sendEmpty(308);
        }
    }

    /** Apply {@code bytes a-b/total}, {@code bytes a-b/*}, {@code bytes *}{@code /total} or {@code bytes *}{@code /*}. */
    private void append(final GcsStore.Session session, final String contentRange, final byte[] data,
        final GcsExchange exchange)
    {
        final String spec = contentRange == null ? "bytes */*" : contentRange.trim().toLowerCase(Locale.ROOT);
        if (!spec.startsWith("bytes "))
        {
            throw new GcsError(400, "invalid", "Invalid Content-Range: " + contentRange);
        }
        final int slash = spec.indexOf('/');
        final String range = spec.substring(6, slash < 0 ? spec.length() : slash).trim();
        final String totalText = slash < 0 ? "*" : spec.substring(slash + 1).trim();
        final long total = "*".equals(totalText) ? -1 : Long.parseLong(totalText);
        if (!"*".equals(range))
        {
            final int dash = range.indexOf('-');
            final long first = Long.parseLong(range.substring(0, dash));
            final long last = Long.parseLong(range.substring(dash + 1));
            if (last - first + 1 != data.length)
            {
                throw new GcsError(400, "invalid", "Content-Range " + contentRange + " does not match the " +
                    data.length + " bytes sent");
            }
            if (first > session.committed())
            {
                throw new GcsError(400, "invalid", "Content-Range starts at " + first + " but only " +
                    session.committed() + " bytes are committed");
            }
            final int skip = (int)(session.committed() - first);
            if (skip < data.length)
            {
                session.data.write(data, skip, data.length - skip);
            }
            store.countChunk();
        }
        if (total >= 0 && session.committed() > total)
        {
            throw new GcsError(400, "invalid", "upload has " + session.committed() + " bytes, more than the total " +
                total);
        }
        if (total >= 0 && session.committed() == total)
        {
            try
            {
                session.result = store.create(session.bucket, session.name, session.data.toByteArray(),
                    session.contentType, session.conditions, hash(exchange, "crc32c"), hash(exchange, "md5"));
            }
            catch (final GcsError error)
            {
                session.failure = error;
                throw error;
            }
        }
    }

    private static String required(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new GcsError(400, "required", "Required: object name");
        }
        return name;
    }

    /** @return the {@code crc32c=} or {@code md5=} part of the request's {@code x-goog-hash} header, if any. */
    private static String hash(final GcsExchange exchange, final String algorithm)
    {
        final String header = exchange.header("x-goog-hash");
        if (header == null)
        {
            return null;
        }
        for (final String part : header.split(","))
        {
            final String trimmed = part.trim();
            if (trimmed.startsWith(algorithm + "="))
            {
                return trimmed.substring(algorithm.length() + 1);
            }
        }
        return null;
    }

    private static String boundary(final String contentType)
    {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/related"))
        {
            throw new GcsError(400, "invalid", "a multipart upload needs Content-Type multipart/related");
        }
        for (final String parameter : contentType.split(";"))
        {
            final String trimmed = parameter.trim();
            if (trimmed.toLowerCase(Locale.ROOT).startsWith("boundary="))
            {
                final String value = trimmed.substring("boundary=".length());
                return value.startsWith("\"") ? value.substring(1, value.length() - 1) : value;
            }
        }
        throw new GcsError(400, "invalid", "multipart/related without a boundary");
    }

    /** @return the parts of a MIME multipart body, each with its headers, delimiters stripped. */
    private static byte[][] parts(final byte[] body, final String boundary)
    {
        final byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, delimiter, 0);
        byte[][] parts = new byte[0][];
        while (at >= 0)
        {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-')
            {
                break;   // the closing delimiter
            }
            start = skipLineBreak(body, start);
            final int next = indexOf(body, delimiter, start);
            if (next < 0)
            {
                throw new GcsError(400, "invalid", "unterminated multipart body");
            }
            int end = next;
            if (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n')
            {
                end -= 2;
            }
            else if (end >= 1 && body[end - 1] == '\n')
            {
                end -= 1;
            }
            parts = Arrays.copyOf(parts, parts.length + 1);
            parts[parts.length - 1] = Arrays.copyOfRange(body, start, end);
            at = next;
        }
        return parts;
    }

    /** @return the value of a part's header, or null. */
    private static String header(final byte[] part, final String name)
    {
        final String head = new String(part, 0, headEnd(part), StandardCharsets.ISO_8859_1);
        for (final String line : head.split("\r?\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static byte[] content(final byte[] part)
    {
        final int end = headEnd(part);
        final int start = end + (part[end] == '\r' ? 4 : 2);
        return Arrays.copyOfRange(part, Math.min(start, part.length), part.length);
    }

    /** @return where the blank line after a part's headers starts. */
    private static int headEnd(final byte[] part)
    {
        final int crlf = indexOf(part, new byte[] {'\r', '\n', '\r', '\n'}, 0);
        final int lf = indexOf(part, new byte[] {'\n', '\n'}, 0);
        if (crlf < 0 && lf < 0)
        {
            throw new GcsError(400, "invalid", "a multipart part without headers");
        }
        return crlf >= 0 && (lf < 0 || crlf <= lf) ? crlf : lf;
    }

    private static int skipLineBreak(final byte[] body, final int at)
    {
        if (at + 1 < body.length && body[at] == '\r' && body[at + 1] == '\n')
        {
            return at + 2;
        }
        return at < body.length && body[at] == '\n' ? at + 1 : at;
    }

    private static int indexOf(final byte[] data, final byte[] pattern, final int from)
    {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++)
        {
            for (int j = 0; j < pattern.length; j++)
            {
                if (data[i + j] != pattern[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
