package dev.spindle.fs;

/**
 * A backend setting that is unknown or has a value the backend cannot use. It carries the section and the key as
 * data, so that a configuration reader can point at the line of the key without parsing this message, and the
 * reason on its own, so that it can say it in its own words. The value of a secret is never part of it.
 */
public final class SettingException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String section;
    private final String key;
    private final String reason;

    /**
     * @param section the backend section, e.g. {@code s3}.
     * @param key the setting, e.g. {@code part_size_bytes}.
     * @param reason what is wrong and what is accepted, e.g. {@code expected true or false, got "yes"}.
     */
    public SettingException(final String section, final String key, final String reason)
    {
        super("[storage.wal_config." + section + "] " + key + ": " + reason);
        this.section = section;
        this.key = key;
        this.reason = reason;
    }

    /** @return the backend section, e.g. {@code s3}. */
    public String section()
    {
        return section;
    }

    /** @return the setting's key. */
    public String key()
    {
        return key;
    }

    /** @return what is wrong and what is accepted, without the section and key. */
    public String reason()
    {
        return reason;
    }
}
