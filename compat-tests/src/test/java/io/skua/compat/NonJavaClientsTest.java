package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** librdkafka (kcat, confluent-kafka-python) and kafka-python against Skua, when installed (bin/test installs them). */
class NonJavaClientsTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();

    @Test
    void kcatShouldProduceCompressedAndConsumeEverything() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kcat")), "kcat is not installed");
        for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
            String topic = "kcat-" + codec;
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                lines.append("line-").append(i).append('\n');
            }
            run(lines.toString(), "/usr/bin/kcat", "-b", skua.bootstrap(), "-t", topic, "-P", "-z", codec);
            String out = run("", "/usr/bin/kcat", "-b", skua.bootstrap(), "-t", topic, "-C", "-e", "-q", "-f", "%o:%s\\n");
            List<String> got = out.lines().toList();
            assertEquals(500, got.size(), codec + ": " + out);
            assertEquals("0:line-0", got.get(0));
            assertEquals("499:line-499", got.get(499));
        }
    }

    @Test
    void pythonClientsShouldProduceAndConsume() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        String script = """
                import sys
                try:
                    from confluent_kafka import Producer, Consumer, TopicPartition
                except ImportError:
                    print('SKIP'); sys.exit(0)
                b = sys.argv[1]
                p = Producer({'bootstrap.servers': b, 'enable.idempotence': True, 'compression.type': 'zstd'})
                for i in range(1000):
                    p.produce('py', key=str(i), value='v%d' % i)
                assert p.flush(30) == 0
                c = Consumer({'bootstrap.servers': b, 'group.id': 'py', 'enable.auto.commit': False})
                c.assign([TopicPartition('py', 0, 0)])
                n = 0
                while n < 1000:
                    m = c.poll(10)
                    if m is None: break
                    assert not m.error(), m.error()
                    assert m.value() == b'v%d' % n, m.value()
                    n += 1
                c.close()
                print('consumed', n)
                """;
        Path file = skua.dataDir().resolve("clients.py");
        Files.writeString(file, script);
        String out = run("", "/usr/bin/python3", file.toString(), skua.bootstrap()).trim();
        assumeTrue(!out.equals("SKIP"), "confluent-kafka for python is not installed");
        assertEquals("consumed 1000", out);
    }

    /** Runs a command with {@code stdin}, expects exit code 0 within 60 s, returns its output. */
    static String run(String stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + text);
        return text;
    }
}
