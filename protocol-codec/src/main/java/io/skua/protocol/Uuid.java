package io.skua.protocol;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;

/** A 128-bit id (topic ids, KIP-516), rendered as Kafka does: URL-safe base64 without padding. */
public record Uuid(long mostSignificantBits, long leastSignificantBits) implements Comparable<Uuid> {
    public static final Uuid ZERO = new Uuid(0L, 0L);
    /** Kafka reserves ids below 100 (METADATA_TOPIC_ID = 1, ...); random ids never collide with them. */
    private static final SecureRandom RANDOM = new SecureRandom();

    public static Uuid randomUuid() {
        while (true) {
            Uuid id = new Uuid(RANDOM.nextLong(), RANDOM.nextLong());
            if (!id.equals(ZERO) && id.toString().charAt(0) != '-') {
                return id;
            }
        }
    }

    public static Uuid fromString(String s) {
        byte[] bytes = Base64.getUrlDecoder().decode(s);
        if (bytes.length != 16) {
            throw new IllegalArgumentException("Not a 16-byte base64 uuid: " + s);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new Uuid(b.getLong(), b.getLong());
    }

    @Override
    public String toString() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putLong(mostSignificantBits).putLong(leastSignificantBits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    @Override
    public int compareTo(Uuid o) {
        int c = Long.compare(mostSignificantBits, o.mostSignificantBits);
        return c != 0 ? c : Long.compare(leastSignificantBits, o.leastSignificantBits);
    }
}
