package org.apache.avro.file;

/**
 * Test access to Avro's own block codecs (what {@code DataFileWriter} and {@code DataFileReader} use), whose
 * {@link CodecFactory#createInstance()} is protected: in Avro's package, on the test classpath only.
 */
public final class AvroCodecs
{
    private AvroCodecs()
    {
    }

    /** @return Avro's codec named {@code name} in {@code avro.codec}, at its default level. */
    public static Codec of(final String name)
    {
        return CodecFactory.fromString(name).createInstance();
    }
}
