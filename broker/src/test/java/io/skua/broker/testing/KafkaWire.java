package io.skua.broker.testing;

import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.ByteBufferReader;
import io.skua.protocol.ByteBufferWriter;
import io.skua.protocol.message.RequestHeaderData;
import io.skua.protocol.message.ResponseHeaderData;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Blocking request/response over {@link RawClient} with Skua's generated codec, for tests. */
public final class KafkaWire implements AutoCloseable {
    private final RawClient client;
    private int correlation;

    public KafkaWire(int port) throws IOException {
        client = new RawClient("127.0.0.1", port);
    }

    @SuppressWarnings("unchecked")
    public <R extends ApiMessage> R send(ApiKey key, short version, ApiMessage request) throws IOException {
        int id = ++correlation;
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id()).setRequestApiVersion(version)
                .setCorrelationId(id).setClientId("skua-test");
        short hv = key.requestHeaderVersion(version);
        ByteBuffer buf = ByteBuffer.allocate(header.size(hv) + request.size(version));
        ByteBufferWriter writer = new ByteBufferWriter(buf);
        header.write(writer, hv);
        request.write(writer, version);
        client.writeRaw(RawClient.frame(buf.array()));
        ByteBufferReader reader = new ByteBufferReader(ByteBuffer.wrap(client.readFrame()));
        ResponseHeaderData rh = new ResponseHeaderData(reader, key.responseHeaderVersion(version));
        if (rh.correlationId() != id) {
            throw new IOException("correlation id " + rh.correlationId() + " != " + id);
        }
        ApiMessage response = key.newResponse();
        response.read(reader, version);
        return (R) response;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
