package io.skua.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image under test, built once per test JVM from {@code docker/Dockerfile} through the engine's Docker API
 * (a real Docker engine or podman's compatible socket), with {@code docker/target/skua.jar} from this build.
 *
 * <p>The base image is {@code SKUA_DOCKER_BASE} (docker/setup-podman.sh builds {@code localhost/skua-jre:17} from
 * Debian packages where no registry is reachable), else the Dockerfile's default.
 */
final class SkuaImage {
    static final String NAME = "localhost/skua:test";
    private static String built;

    private SkuaImage() {
    }

    /** Skips the calling test class, with the reason, when no Docker-compatible engine answers. */
    static void assumeEngine() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
        }
        assumeTrue(available, "no Docker-compatible engine reachable (DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                + "): container tests skipped. bin/test runs docker/setup-podman.sh as root on Debian to provide one.");
    }

    /**
     * Whether the broker jar that goes into the image knows {@code property}, from its {@code --help}. Asks the jar
     * rather than the test class path: {@code mvn -pl docker} resolves skua-broker from the local repository, which
     * may hold another branch's build.
     */
    static boolean brokerKnows(String property) {
        try {
            Process help = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar().toString(), "--help").redirectErrorStream(true).start();
            String out = new String(help.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return help.waitFor() == 0 && out.lines().anyMatch(l -> l.trim().startsWith(property + " "));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path context() {
        return Path.of(System.getProperty("skua.docker.context", ".")).toAbsolutePath().normalize();
    }

    private static Path jar() {
        Path jar = context().resolve("target/skua.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with mvn -pl docker -am package");
        }
        return jar;
    }

    /** Container output, line by line with a prefix, for the test log (the broker logs little at INFO). */
    static java.util.function.Consumer<org.testcontainers.containers.output.OutputFrame> printTo(
            java.io.PrintStream out, String prefix) {
        return frame -> {
            String line = frame.getUtf8StringWithoutLineEnding();
            if (!line.isEmpty()) {
                out.println(prefix + line);
            }
        };
    }

    static synchronized String image() {
        if (built == null) {
            jar();
            ImageFromDockerfile image = new ImageFromDockerfile(NAME, false)
                    .withDockerfile(context().resolve("Dockerfile"));
            String base = System.getenv("SKUA_DOCKER_BASE");
            if (base != null && !base.isBlank()) {
                image.withBuildArg("BASE", base);
            }
            built = image.get();
        }
        return built;
    }
}
