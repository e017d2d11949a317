package dev.spindle.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The data of the GCS test server: buckets of objects, open resumable upload sessions, and counters for tests.
 * It outlives the HTTP server that serves it, so a stopped and restarted server still has its objects and its
 * sessions (as a real service would after a front end crashed). Creation and deletion of one object are
 * atomic with their preconditions, which is all {@code ifGenerationMatch=0} needs.
 */
final class GcsStore
{
    /** One object generation: immutable once created. */
    record StoredObject(String bucket, String name, byte[] data, long generation, long metageneration,
        String contentType, String crc32c, String md5Hash, Instant created)
    {
        long size()
        {
            return data.length;
        }

        /** @return the JSON object resource; sizes and generations are strings, as the real API sends them. */
        String json()
        {
            final String id = bucket + "/" + name + "/" + generation;
            return "{\"kind\":\"storage#object\",\"id\":" + GcsJson.quote(id) +
                ",\"name\":" + GcsJson.quote(name) +
                ",\"bucket\":" + GcsJson.quote(bucket) +
                ",\"generation\":\"" + generation + "\"" +
                ",\"metageneration\":\"" + metageneration + "\"" +
                ",\"contentType\":" + GcsJson.quote(contentType) +
                ",\"storageClass\":\"STANDARD\"" +
                ",\"size\":\"" + data.length + "\"" +
                ",\"md5Hash\":" + GcsJson.quote(md5Hash) +
                ",\"crc32c\":" + GcsJson.quote(crc32c) +
                ",\"etag\":" + GcsJson.quote(etag()) +
                ",\"timeCreated\":\"" + created + "\"" +
                ",\"updated\":\"" + created + "\"}";
        }

        String etag()
        {
            return "C" + Long.toHexString(generation) + "Q" + metageneration;
        }
    }

    /** A resumable upload: bytes committed so far and, once finalized, the object it made. */
    static final class Session
    {
        final String id = UUID.randomUUID().toString().replace("-", "");
        final String bucket;
        final String name;
        final String contentType;
        final GcsConditions conditions;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        StoredObject result;
        GcsError failure;

        Session(final String bucket, final String name, final String contentType, final GcsConditions conditions)
        {
            this.bucket = bucket;
            this.name = name;
            this.contentType = contentType;
            this.conditions = conditions;
        }

        long committed()
        {
            return data.size();
        }
    }

    private final Map<String, NavigableMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> creations = new ConcurrentHashMap<>();
    private final AtomicLong lastGeneration = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private volatile ChunkHook hook;

    private record ChunkHook(long at, Runnable action)
    {
    }

    void createBucket(final String bucket)
    {
        buckets.computeIfAbsent(bucket, b -> new ConcurrentSkipListMap<>());
    }

    boolean hasBucket(final String bucket)
    {
        return buckets.containsKey(bucket);
    }

    StoredObject get(final String bucket, final String name)
    {
        return objects(bucket).get(name);
    }

    /**
     * Create a new generation of {@code name} if {@code conditions} hold against the current one.
     *
     * @throws GcsError 404 for a missing bucket, 412 when a precondition fails, 400 when a checksum the client
     * sent does not match the data.
     */
    StoredObject create(final String bucket, final String name, final byte[] data, final String contentType,
        final GcsConditions conditions, final String expectedCrc32c, final String expectedMd5)
    {
        final NavigableMap<String, StoredObject> objects = objects(bucket);
        final String crc32c = crc32c(data);
        final String md5 = md5(data);
        if (expectedCrc32c != null && !expectedCrc32c.equals(crc32c))
        {
            throw new GcsError(400, "invalid",
                "Provided CRC32C \"" + expectedCrc32c + "\" doesn't match calculated CRC32C \"" + crc32c + "\".");
        }
        if (expectedMd5 != null && !expectedMd5.equals(md5))
        {
            throw new GcsError(400, "invalid",
                "Provided MD5 hash \"" + expectedMd5 + "\" doesn't match calculated MD5 hash \"" + md5 + "\".");
        }
        synchronized (objects)
        {
            conditions.check(objects.get(name));
            final StoredObject created = new StoredObject(bucket, name, data, nextGeneration(), 1,
                contentType == null ? "application/octet-stream" : contentType, crc32c, md5, Instant.now());
            objects.put(name, created);
            creations.computeIfAbsent(bucket + "/" + name, k -> new AtomicLong()).incrementAndGet();
            return created;
        }
    }

    /** @return false when there was nothing to delete. */
    boolean delete(final String bucket, final String name, final GcsConditions conditions)
    {
        final NavigableMap<String, StoredObject> objects = objects(bucket);
        synchronized (objects)
        {
            final StoredObject existing = objects.get(name);
            if (existing == null)
            {
                return false;
            }
            conditions.check(existing);
            objects.remove(name);
            return true;
        }
    }

    /**
     * @return up to {@code limit} objects whose names start with {@code prefix} and sort after {@code after}
     * (null: from the start), in name order.
     */
    List<StoredObject> list(final String bucket, final String prefix, final String after, final int limit)
    {
        final NavigableMap<String, StoredObject> objects = objects(bucket);
        final NavigableMap<String, StoredObject> from = after == null ? objects.tailMap(prefix, true) :
            objects.tailMap(after.compareTo(prefix) < 0 ? prefix : after, after.compareTo(prefix) < 0);
        final List<StoredObject> page = new ArrayList<>();
        for (final StoredObject object : from.values())
        {
            if (!object.name().startsWith(prefix) || page.size() == limit)
            {
                break;
            }
            page.add(object);
        }
        return page;
    }

    Session openSession(final String bucket, final String name, final String contentType,
        final GcsConditions conditions)
    {
        conditions.check(objects(bucket).get(name));
        final Session session = new Session(bucket, name, contentType, conditions);
        sessions.put(session.id, session);
        return session;
    }

    Session session(final String id)
    {
        return id == null ? null : sessions.get(id);
    }

    void cancel(final Session session)
    {
        sessions.remove(session.id);
    }

    /** Count a resumable PUT that carried data, and run the hook that waited for it, if any. */
    void countChunk()
    {
        final long count = chunks.incrementAndGet();
        final ChunkHook waiting = hook;
        if (waiting != null && count >= waiting.at() && compareAndClear(waiting))
        {
            waiting.action().run();
        }
    }

    synchronized void afterChunks(final long more, final Runnable action)
    {
        hook = new ChunkHook(chunks.get() + more, action);
    }

    private synchronized boolean compareAndClear(final ChunkHook expected)
    {
        if (hook != expected)
        {
            return false;
        }
        hook = null;
        return true;
    }

    long creations(final String bucket, final String name)
    {
        final AtomicLong count = creations.get(bucket + "/" + name);
        return count == null ? 0 : count.get();
    }

    long chunks()
    {
        return chunks.get();
    }

    private NavigableMap<String, StoredObject> objects(final String bucket)
    {
        final NavigableMap<String, StoredObject> objects = buckets.get(bucket);
        if (objects == null)
        {
            throw new GcsError(404, "notFound", "The specified bucket does not exist.");
        }
        return objects;
    }

    /** GCS generations are microsecond timestamps; strictly increasing here even within one microsecond. */
    private long nextGeneration()
    {
        final long now = System.currentTimeMillis() * 1000;
        return lastGeneration.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** @return the CRC32C of {@code data} as GCS writes it: base64 of the big-endian 4 bytes. */
    static String crc32c(final byte[] data)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int)crc.getValue()).array());
    }

    static String md5(final byte[] data)
    {
        try
        {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("MD5 is a required JDK algorithm", ex);
        }
    }
}
