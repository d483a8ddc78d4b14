package io.skua.protocol;

/**
 * A generated protocol message (request, response, header or data spec). Implementations are mutable,
 * not thread-safe, and carry no per-version state: the version is passed to every codec call.
 */
public interface ApiMessage {
    /** Replaces every field of this message with the values decoded from {@code readable}. */
    void read(Readable readable, short version);

    /** Encodes this message; writes exactly {@link #size(short)} bytes. */
    void write(Writable writable, short version);

    /** The number of bytes {@link #write(Writable, short)} will produce at {@code version}. */
    int size(short version);

    /** The API key, or -1 for headers and other non-API specs. */
    short apiKey();

    short lowestSupportedVersion();

    short highestSupportedVersion();
}
