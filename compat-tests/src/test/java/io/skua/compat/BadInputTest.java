package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BadInputTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();

    @Test
    void shouldCloseOnlyTheOffendingConnectionsWhileAProducerGoesOn() throws Exception {
        try (var producer = Clients.producer(skua, new Properties())) {
            AtomicLong acked = new AtomicLong();
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("steady", 0, null, ("a" + i).getBytes())).get();
                acked.incrementAndGet();
            }
            // Garbage: a plausible length followed by bytes that are no request header
            assertClosedAfter(new byte[] {0, 0, 0, 12, (byte) 0xff, (byte) 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            // A 2 GiB length prefix: refused before anything is buffered
            assertClosedAfter(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
            // A negative length prefix
            assertClosedAfter(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
            // A truncated frame: the client vanishes mid-request
            try (Socket s = new Socket("127.0.0.1", skua.port())) {
                new DataOutputStream(s.getOutputStream()).write(new byte[] {0, 0, 0, 100, 0, 18, 0, 3});
            }
            // The producer on its own connection is unharmed
            for (int i = 100; i < 200; i++) {
                producer.send(new ProducerRecord<>("steady", 0, null, ("a" + i).getBytes())).get();
                acked.incrementAndGet();
            }
            assertEquals(200, acked.get());
        }
        try (var consumer = Clients.consumer(skua, new Properties())) {
            var got = Clients.readAll(consumer, new TopicPartition("steady", 0), 0, 200);
            assertEquals("a199", new String(got.get(199).value()));
        }
    }

    private void assertClosedAfter(byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", skua.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            try {
                assertEquals(-1, in.read(), "broker closes the connection without answering");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection still open 10 s after bad input", e);
            } catch (IOException reset) {
                assertTrue(reset.getMessage() != null, "reset by broker counts as closed");
            }
        }
    }
}
