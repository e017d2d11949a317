package dev.spindle.testkit;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One request to the GCS test server with the plumbing every route needs: the decoded query, the body
 * (gunzipped: the Google client sends {@code Content-Encoding: gzip} request bodies), and answers as JSON,
 * bytes or bare statuses.
 */
final class GcsExchange
{
    static final String JSON = "application/json; charset=UTF-8";

    private final HttpExchange exchange;
    private final Map<String, String> query;

    GcsExchange(final HttpExchange exchange)
    {
        this.exchange = exchange;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    String method()
    {
        return exchange.getRequestMethod();
    }

    String rawPath()
    {
        return exchange.getRequestURI().getRawPath();
    }

    Map<String, String> query()
    {
        return query;
    }

    String query(final String name)
    {
        return query.get(name);
    }

    String header(final String name)
    {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** @return the scheme and authority the client addressed (the proxy's, not the server's own port). */
    String origin()
    {
        final String host = header("Host");
        return "http://" + (host == null ? exchange.getLocalAddress().getHostString() + ":" +
            exchange.getLocalAddress().getPort() : host);
    }

    /** @return the whole request body, gunzipped when the client compressed it. */
    byte[] body() throws IOException
    {
        InputStream in = exchange.getRequestBody();
        final String encoding = header("Content-Encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip"))
        {
            in = new GZIPInputStream(in);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    void sendJson(final int status, final String json) throws IOException
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        send(status, JSON, bytes, 0, bytes.length);
    }

    void sendError(final GcsError error) throws IOException
    {
        sendJson(error.status, error.json());
    }

    void send(final int status, final String contentType, final byte[] data, final int offset, final int length)
        throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(data, offset, length);
            }
        }
        exchange.close();
    }

    /** Answer with no body (204, 308, 416 and the like). */
    void sendEmpty(final int status) throws IOException
    {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    void setHeader(final String name, final String value)
    {
        exchange.getResponseHeaders().set(name, value);
    }

    /** Percent-decode one path segment; unlike form decoding, '+' stays a '+'. */
    static String decodePath(final String raw)
    {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> parseQuery(final String raw)
    {
        if (raw == null || raw.isEmpty())
        {
            return Collections.emptyMap();
        }
        final Map<String, String> query = new LinkedHashMap<>();
        for (final String pair : raw.split("&"))
        {
            final int eq = pair.indexOf('=');
            final String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            final String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(name, value);
        }
        return query;
    }
}
