package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Kafka Connect standalone: FileStreamSource into a topic and FileStreamSink out of it; the files match. */
class ConnectStandaloneTest {
    @TempDir
    Path work;

    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "3"));

    @Test
    void shouldCopyAFileThroughATopic() throws Exception {
        Path source = work.resolve("source.txt");
        Path sink = work.resolve("sink.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lines.add("line " + i + " of the source file");
        }
        Files.write(source, lines, StandardCharsets.UTF_8);
        Path worker = write("worker.properties", """
                bootstrap.servers=%s
                key.converter=org.apache.kafka.connect.storage.StringConverter
                value.converter=org.apache.kafka.connect.storage.StringConverter
                offset.storage.file.filename=%s
                offset.flush.interval.ms=500
                listeners=http://127.0.0.1:0
                """.formatted(skua.bootstrap(), work.resolve("offsets")));
        Path sourceProps = write("source.properties", """
                name=file-source
                connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector
                tasks.max=1
                file=%s
                topic=connect-lines
                """.formatted(source));
        Path sinkProps = write("sink.properties", """
                name=file-sink
                connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector
                tasks.max=1
                file=%s
                topics=connect-lines
                """.formatted(sink));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                "org.apache.kafka.connect.cli.ConnectStandalone", worker.toString(), sourceProps.toString(),
                sinkProps.toString());
        Process connect = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("connect.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            List<String> copied = List.of();
            while (System.nanoTime() < deadline && connect.isAlive()) {
                copied = Files.exists(sink) ? Files.readAllLines(sink, StandardCharsets.UTF_8) : List.of();
                if (copied.size() >= lines.size()) {
                    break;
                }
                Thread.sleep(200); // polling a file another process writes: nothing to wait on
            }
            assertEquals(lines, copied, "sink file after Connect ran; log:\n" + tail(work.resolve("connect.log")));
        } finally {
            connect.destroy();
            connect.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Path write(String name, String content) throws IOException {
        Path p = work.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    }
}
