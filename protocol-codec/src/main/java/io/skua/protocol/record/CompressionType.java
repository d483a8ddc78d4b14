package io.skua.protocol.record;

/** The compression codec of a record batch: bits 0-2 of its attributes. */
public enum CompressionType {
    NONE(0), GZIP(1), SNAPPY(2), LZ4(3), ZSTD(4);

    private final int id;

    CompressionType(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** @throws CorruptBatchException for an id no codec has (5-7) */
    public static CompressionType forId(int id) {
        return switch (id) {
            case 0 -> NONE;
            case 1 -> GZIP;
            case 2 -> SNAPPY;
            case 3 -> LZ4;
            case 4 -> ZSTD;
            default -> throw new CorruptBatchException("Unknown compression codec id " + id);
        };
    }
}
