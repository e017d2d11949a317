package dev.spindle.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the GCS test server: reading the object metadata a client sends with an upload, and
 * writing resources and error bodies. Numbers are kept as their text (GCS sends 64-bit values as strings
 * anyway), so nothing is lost to doubles. Kept here rather than pulling a JSON library onto every backend's
 * test classpath, where it could mask a missing dependency of the backend itself.
 */
final class GcsJson
{
    private final String text;
    private int at;

    private GcsJson(final String text)
    {
        this.text = text;
    }

    /**
     * @return the top-level object of {@code text}: strings, numbers (as text), booleans, null, nested maps and lists.
     * @throws IllegalArgumentException when {@code text} is not one JSON object.
     */
    static Map<String, Object> parseObject(final String text)
    {
        final GcsJson parser = new GcsJson(text);
        parser.skipSpace();
        final Object value = parser.value();
        parser.skipSpace();
        if (!(value instanceof Map) || parser.at != text.length())
        {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> object = (Map<String, Object>)value;
        return object;
    }

    /** @return {@code value} as a JSON string literal, quotes included. */
    static String quote(final String value)
    {
        final StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** @return a GCS JSON API error body, the shape the client parses into its exception. */
    static String error(final int code, final String reason, final String message)
    {
        final String quoted = quote(message);
        return "{\"error\":{\"code\":" + code + ",\"message\":" + quoted + ",\"errors\":[{\"message\":" + quoted +
            ",\"domain\":\"global\",\"reason\":" + quote(reason) + "}]}}";
    }

    private Object value()
    {
        if (at >= text.length())
        {
            throw fail("unexpected end");
        }
        final char c = text.charAt(at);
        if (c == '{')
        {
            return object();
        }
        if (c == '[')
        {
            return array();
        }
        if (c == '"')
        {
            return string();
        }
        final int start = at;
        while (at < text.length() && ",}] \t\r\n".indexOf(text.charAt(at)) < 0)
        {
            at++;
        }
        final String word = text.substring(start, at);
        return switch (word)
        {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "null" -> null;
            default ->
            {
                if (!word.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"))
                {
                    throw fail("bad value " + word);
                }
                yield word;
            }
        };
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}')
        {
            at++;
            return map;
        }
        while (true)
        {
            skipSpace();
            final String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            map.put(key, value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']')
        {
            at++;
            return list;
        }
        while (true)
        {
            skipSpace();
            list.add(value());
            skipSpace();
            if (peek() == ',')
            {
                at++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder out = new StringBuilder();
        while (true)
        {
            final char c = next();
            if (c == '"')
            {
                return out.toString();
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            final char e = next();
            switch (e)
            {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' ->
                {
                    if (at + 4 > text.length())
                    {
                        throw fail("short \\u escape");
                    }
                    out.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> out.append(e);
            }
        }
    }

    private void skipSpace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private char peek()
    {
        if (at >= text.length())
        {
            throw fail("unexpected end");
        }
        return text.charAt(at);
    }

    private char next()
    {
        final char c = peek();
        at++;
        return c;
    }

    private void expect(final char c)
    {
        if (next() != c)
        {
            throw fail("expected '" + c + "'");
        }
    }

    private IllegalArgumentException fail(final String why)
    {
        return new IllegalArgumentException("bad JSON at " + at + ": " + why);
    }
}
