package dev.spindle.testkit;

import java.util.Map;

/**
 * The generation and metageneration preconditions of a GCS request ({@code ifGenerationMatch=0} means "only if
 * no live object has this name"). A failed precondition is a 412 {@code conditionNotMet}; a precondition on a
 * missing object other than {@code ifGenerationMatch=0} fails too, as on the real service.
 */
record GcsConditions(Long ifGenerationMatch, Long ifGenerationNotMatch, Long ifMetagenerationMatch,
    Long ifMetagenerationNotMatch)
{
    static final GcsConditions NONE = new GcsConditions(null, null, null, null);

    static GcsConditions from(final Map<String, String> query)
    {
        return new GcsConditions(number(query, "ifGenerationMatch"), number(query, "ifGenerationNotMatch"),
            number(query, "ifMetagenerationMatch"), number(query, "ifMetagenerationNotMatch"));
    }

    void check(final GcsStore.StoredObject existing)
    {
        final long generation = existing == null ? 0 : existing.generation();
        final boolean holds =
            (ifGenerationMatch == null || ifGenerationMatch == generation) &&
            (ifGenerationNotMatch == null || ifGenerationNotMatch != generation) &&
            (ifMetagenerationMatch == null || existing != null && ifMetagenerationMatch == existing.metageneration()) &&
            (ifMetagenerationNotMatch == null || existing == null ||
                ifMetagenerationNotMatch != existing.metageneration());
        if (!holds)
        {
            throw new GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
        }
    }

    private static Long number(final Map<String, String> query, final String name)
    {
        final String value = query.get(name);
        if (value == null)
        {
            return null;
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new GcsError(400, "invalid", "Invalid value for " + name + ": " + value);
        }
    }
}
