package dev.spindle.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.wal.WalRecord;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Base64;
import java.util.Map;

/**
 * JSON output of the CLI, written with jackson-core.
 */
final class Json
{
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json()
    {
    }

    /**
     * Write one entry as a JSON object (no newline). Keys and values are base64.
     */
    static void record(final JsonGenerator g, final WalRecord r) throws IOException
    {
        g.writeStartObject();
        g.writeStringField("collection", r.collection());
        g.writeNumberField("sequence", r.sequence());
        g.writeNumberField("global_sequence", r.globalSequence());
        g.writeNumberField("timestamp", r.timestampMicros());
        g.writeStringField("op", r.op().name());
        g.writeStringField("entry_id", r.entryId());
        bytes(g, "key", r.key());
        bytes(g, "value", r.value());
        if (r.vector() == null)
        {
            g.writeNullField("vector");
        }
        else
        {
            g.writeArrayFieldStart("vector");
            for (final float f : r.vector())
            {
                g.writeNumber(f);
            }
            g.writeEndArray();
        }
        if (r.metadata() == null)
        {
            g.writeNullField("metadata");
        }
        else
        {
            g.writeObjectFieldStart("metadata");
            for (final Map.Entry<String, String> e : r.metadata().entrySet())
            {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        if (r.expiresAtMicros() == null)
        {
            g.writeNullField("expires_at");
        }
        else
        {
            g.writeNumberField("expires_at", r.expiresAtMicros());
        }
        g.writeNumberField("version", r.version());
        g.writeEndObject();
    }

    private static void bytes(final JsonGenerator g, final String field, final byte[] value) throws IOException
    {
        if (value == null)
        {
            g.writeNullField(field);
        }
        else
        {
            g.writeStringField(field, Base64.getEncoder().encodeToString(value));
        }
    }

    /**
     * Print one entry as a JSON line (the form of {@code replay --format jsonl}, {@code dump}, {@code tail}).
     */
    static void line(final JsonGenerator g, final java.io.PrintWriter out, final WalRecord r)
    {
        try
        {
            record(g, r);
            g.flush();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        out.println();
    }

    static JsonGenerator generator(final Writer out)
    {
        try
        {
            final JsonGenerator g = FACTORY.createGenerator(out);
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            return g;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    interface Body
    {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * @return the JSON text {@code body} writes.
     */
    static String toString(final Body body)
    {
        final StringWriter out = new StringWriter();
        try (JsonGenerator g = generator(out))
        {
            body.write(g);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }
}
