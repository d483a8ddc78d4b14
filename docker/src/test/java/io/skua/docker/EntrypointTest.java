package io.skua.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entry point and health-check scripts, run on the host with a stand-in {@code java} that prints its
 * arguments: no engine needed, so these run everywhere.
 */
class EntrypointTest {
    @TempDir
    Path fakeBin;

    @Test
    void shouldDefaultToAllInterfacesAdvertisingLocalhostWithDataInTheVolume() throws Exception {
        // When the entry point runs with no configuration at all
        List<String> args = run("skua-entrypoint", Map.of());

        // Then the broker listens on 9092 everywhere, advertises localhost:9092 and keeps data in /var/lib/skua
        assertEquals(List.of(
                "-Xms256m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true",
                "-Djava.util.logging.manager=io.skua.broker.logging.SkuaLogManager", "-jar", "/opt/skua/skua.jar",
                "--override", "listeners=PLAINTEXT://0.0.0.0:9092",
                "--override", "advertised.listeners=PLAINTEXT://localhost:9092",
                "--override", "log.dirs=/var/lib/skua"), args);
    }

    @Test
    void shouldMapEnvironmentToOverridesBeforeTheArguments() throws Exception {
        // Given every variable the image documents
        Map<String, String> env = Map.of(
                "SKUA_NODE_ID", "2",
                "SKUA_LISTENERS", "PLAINTEXT://127.0.0.1:19092",
                "SKUA_ADVERTISED_LISTENERS", "PLAINTEXT://127.0.0.1:19092",
                "SKUA_LOG_DIRS", "/data/a,/data/b",
                "SKUA_CLUSTER_BIND", "127.0.0.1:17802",
                "SKUA_CLUSTER_SEEDS", "127.0.0.1:17801,127.0.0.1:17802",
                "SKUA_CFG_NUM_PARTITIONS", "3",
                "SKUA_CFG_LOG_RETENTION_MS", "60000",
                "SKUA_HEAP_OPTS", "-Xmx300m",
                "JAVA_OPTS", "-Dfoo=bar -Dbaz=1");

        // When the entry point runs with an argument of its own
        List<String> args = run("skua-entrypoint", env, "--override", "num.partitions=5");

        // Then each becomes the Kafka property, JVM options come first and the argument comes last (so it wins)
        assertEquals(List.of("-Xmx300m", "-Dfoo=bar", "-Dbaz=1"), args.subList(0, 3));
        List<String> broker = args.subList(args.indexOf("/opt/skua/skua.jar") + 1, args.size());
        assertEquals(List.of(
                "--override", "node.id=2",
                "--override", "listeners=PLAINTEXT://127.0.0.1:19092",
                "--override", "advertised.listeners=PLAINTEXT://127.0.0.1:19092",
                "--override", "log.dirs=/data/a,/data/b",
                "--override", "cluster.bind=127.0.0.1:17802",
                "--override", "cluster.seeds=127.0.0.1:17801,127.0.0.1:17802",
                "--override", "log.retention.ms=60000",
                "--override", "num.partitions=3",
                "--override", "num.partitions=5"), broker);
    }

    @Test
    void shouldTranslateDoubleAndTripleUnderscoresLikeKafkasImage() throws Exception {
        // Given names that need a literal underscore or dash
        Map<String, String> env = Map.of("SKUA_CFG_SOME__ODD___NAME_X", "v=w");

        // When
        List<String> args = run("skua-entrypoint", env);

        // Then '__' is '_', '___' is '-', '_' is '.', and the value is kept whole
        assertTrue(args.contains("some_odd-name.x=v=w"), args.toString());
    }

    @Test
    void shouldHealthCheckTheFirstListenerOnLoopbackWhenItIsAWildcard() throws Exception {
        assertEquals("127.0.0.1 9092", String.join(" ", tail(run("skua-healthcheck", Map.of()), 2)));
        assertEquals("127.0.0.1 19092", String.join(" ", tail(run("skua-healthcheck",
                Map.of("SKUA_LISTENERS", "PLAINTEXT://0.0.0.0:19092,OTHER://10.1.2.3:9093")), 2)));
        assertEquals("localhost 9094", String.join(" ", tail(run("skua-healthcheck",
                Map.of("SKUA_CFG_LISTENERS", "PLAINTEXT://localhost:9094")), 2)));
    }

    private static List<String> tail(List<String> list, int n) {
        return list.subList(list.size() - n, list.size());
    }

    /** Runs docker/bin/{@code script} with a {@code java} on PATH that prints one argument per line. */
    private List<String> run(String script, Map<String, String> env, String... scriptArgs)
            throws IOException, InterruptedException {
        Path java = fakeBin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path context = Path.of(System.getProperty("skua.docker.context", ".")).toAbsolutePath();
        List<String> command = new java.util.ArrayList<>(List.of("bash", context.resolve("bin/" + script).toString()));
        command.addAll(List.of(scriptArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = pb.environment();
        environment.keySet().removeIf(k -> k.startsWith("SKUA_") || k.equals("JAVA_OPTS"));
        environment.put("PATH", fakeBin + ":/usr/bin:/bin");
        environment.putAll(env);
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), script + " finished");
        assertEquals(0, process.exitValue(), out);
        return out.lines().toList();
    }
}
