package io.skua.broker;


import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.ViolationHandler;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of {@code docs/architecture.md} ("Layer rules"), checked on the compiled classes of
 * protocol-codec, storage and broker (ArchUnit reads the bytecode, so fully qualified names and nested
 * classes count as much as imports).
 *
 * <ol>
 *   <li>protocol-codec ({@code io.skua.protocol..}) depends on nothing of storage or broker.</li>
 *   <li>storage ({@code io.skua.storage..}) depends on nothing of broker, Vert.x or Netty.</li>
 *   <li>Vert.x internals ({@code io.vertx.core.internal..}, {@code io.vertx.core.impl..},
 *       {@code io.vertx.core.net.impl..}) and Netty ({@code io.netty..}) are used only in
 *       {@code io.skua.broker.network..}.</li>
 *   <li>Broker layers depend only downwards (see {@link #brokerLayersShouldDependOnlyDownwards()}).</li>
 *   <li>No cycles between broker sub-packages (slices {@code io.skua.broker.(*)..}).</li>
 *   <li>Hand-written main source files of every module (read from the file system, {@code target/} excluded)
 *       have at most {@value #MAX_LINES} lines.</li>
 * </ol>
 *
 * <h2>Allowlists</h2>
 * Today's code breaks some of these rules and the fixes are under way. Each rule is written as it should be
 * and each known violation is listed below in an explicit allowlist, with a comment saying what the fix is.
 * An entry is {@code "origin -> target"} with top-level class names (nested, anonymous and lambda classes
 * count as their outermost class), or, for the size rule, a file path relative to the repository root.
 * We chose plain lists in this file over ArchUnit's {@code FreezingArchRule} violation store: the list is
 * reviewed in the same diff as the code, reads without tooling, and carries the reason next to each entry.
 *
 * <p>An allowlist only shrinks. Each test fails
 * <ul>
 *   <li>on a violation that is not listed (fix the code; do not add the entry unless the team agrees), and</li>
 *   <li>on a listed entry that no longer occurs (a stale entry: delete it in the same commit as the fix).</li>
 * </ul>
 * The failure message lists both, in the exact form of the entries, so updating is a copy or a delete. A class
 * that moves or is renamed while it still violates a rule shows up as one stale and one new entry: rename the
 * entry. The dependency rules read bytecode, so an unused import is no dependency; rule 3 also reads the
 * sources' imports, because ArchUnit does not see casts such as {@code (ContextInternal) ctx}.
 */
class LayerRulesTest {

    /** The size a hand-written source file may reach; above it, split by responsibility. */
    static final int MAX_LINES = 400;

    // ---------------------------------------------------------------------------------------------------
    // Allowlists: known violations of today's code. They only shrink.
    // ---------------------------------------------------------------------------------------------------

    /** Rules 1 and 2 (module boundaries): nothing known (the Maven module graph already prevents most). */
    private static final Set<String> MODULE_BOUNDARY_ALLOWED = Set.of();

    /** Rule 3: Vert.x internals and Netty outside {@code network/}. */
    private static final Set<String> VERTX_INTERNALS_ALLOWED = Set.of();

    /** Rule 4: upward dependencies between broker layers. */
    private static final Set<String> LAYER_ALLOWED = Set.of();

    /**
     * Rule 5: the dependencies tolerated as the back edge of a package cycle. The cycle rule ignores them; each
     * must still exist and still close a cycle (its target package still reaches its origin package).
     */
    private static final Set<String> CYCLE_BACK_EDGES_ALLOWED = Set.of();

    /** Rule 6: main source files above {@value #MAX_LINES} lines. */
    private static final Set<String> OVERSIZED_FILES_ALLOWED = Set.of(
            // the one class that touches the metadata caches (about 40% Javadoc): its listener adapters can move out
            "broker/src/main/java/io/skua/broker/cluster/MetadataStore.java");

    // ---------------------------------------------------------------------------------------------------

    private static final String BROKER = "io.skua.broker";
    private static final String[] VERTX_INTERNALS_AND_NETTY = {
        "io.vertx.core.internal..", "io.vertx.core.impl..", "io.vertx.core.net.impl..", "io.netty.."
    };

    private static final Pattern IMPORT = Pattern.compile("\\s*import\\s+(static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;.*");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // The main classes of the three modules, wherever the classpath has them (target/classes, the reactor's jars
        // during `mvn install`, or ~/.m2); nothing else of the classpath is read (see archunit.properties).
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.skua.protocol", "io.skua.storage", BROKER);
    }

    @Test
    void shouldSeeTheClassesOfAllThreeModules() {
        // Given the imported classes, When we look for each module, Then none is missing (a rule over no
        // classes would pass without checking anything)
        for (String pkg : new String[] {"io.skua.protocol", "io.skua.storage", BROKER + ".network", BROKER}) {
            assertTrue(classes.containPackage(pkg), "no classes imported from " + pkg);
        }
    }

    @Test
    void protocolCodecAndStorageShouldRespectModuleBoundaries() {
        ArchRule codec = noClasses().that().resideInAPackage("io.skua.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("io.skua.storage..", BROKER + "..");
        ArchRule storage = noClasses().that().resideInAPackage("io.skua.storage..")
                .should().dependOnClassesThat().resideInAnyPackage(BROKER + "..", "io.vertx..", "io.netty..");

        Set<String> violations = new TreeSet<>(dependencyViolations(codec));
        violations.addAll(dependencyViolations(storage));

        assertMatchesAllowlist("module boundaries", "MODULE_BOUNDARY_ALLOWED", violations,
                MODULE_BOUNDARY_ALLOWED);
    }

    @Test
    void vertxInternalsAndNettyShouldStayInNetwork() throws IOException {
        ArchRule rule = noClasses().that().resideOutsideOfPackage(BROKER + ".network..")
                .should().dependOnClassesThat().resideInAnyPackage(VERTX_INTERNALS_AND_NETTY);

        // ArchUnit does not record casts, and "(ContextInternal) context" is how internals leak; so the imports
        // of the sources count as well.
        Set<String> violations = new TreeSet<>(dependencyViolations(rule));
        Path root = repositoryRoot();
        for (String module : new String[] {"protocol-codec", "storage", "broker"}) {
            for (Path file : mainSources(root.resolve(module))) {
                String origin = className(file);
                if (origin.startsWith(BROKER + ".network.")) {
                    continue;
                }
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Matcher m = IMPORT.matcher(line);
                    if (m.matches() && isVertxInternalOrNetty(m.group(2))) {
                        violations.add(origin + " -> " + importedClass(m.group(2), m.group(1) != null));
                    }
                }
            }
        }

        assertMatchesAllowlist("Vert.x internals and Netty only in network/", "VERTX_INTERNALS_ALLOWED",
                violations, VERTX_INTERNALS_ALLOWED);
    }

    /**
     * The request path, top to bottom: network, api, handlers, the coordinators and services (group, cluster,
     * metadata, log, partition), then storage and the codec. The wiring package {@code io.skua.broker} itself
     * (Main, SkuaBroker, KafkaProtocol) sits above all and no layer depends on it. config and logging are
     * utilities that any layer may use and that use no broker layer.
     *
     * <p>network is the transport: api plugs into it (KafkaDispatcher implements its RequestDispatcher), so
     * api depends on network, and network only on the utilities, storage (fetch slices for sendfile) and the
     * codec. Besides api and the wiring, only cluster may use network, for
     * the outbound broker-to-broker connection of replica fetchers and the controller client. handlers
     * depend on api's SPI (ApiHandler, RequestContext) and on the services; api does not know the handlers
     * (the wiring registers them). The services may use each other; rule 5 keeps that acyclic.
     */
    @Test
    void brokerLayersShouldDependOnlyDownwards() {
        String[] services = {"Group", "Cluster", "Metadata", "Partition"};
        ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Wiring").definedBy(BROKER)
                .layer("Network").definedBy(BROKER + ".network..")
                .layer("Api").definedBy(BROKER + ".api..")
                .layer("Handlers").definedBy(BROKER + ".handlers..")
                .layer("Group").definedBy(BROKER + ".group..")
                .layer("Cluster").definedBy(BROKER + ".cluster..")
                .layer("Metadata").definedBy(BROKER + ".metadata..")
                .layer("Partition").definedBy(BROKER + ".partition..")
                .layer("Utility").definedBy(BROKER + ".config..", BROKER + ".logging..", BROKER + ".lifecycle..")
                .layer("Storage").definedBy("io.skua.storage..")
                .layer("Codec").definedBy("io.skua.protocol..")

                .whereLayer("Wiring").mayNotBeAccessedByAnyLayer()
                .whereLayer("Network").mayOnlyAccessLayers("Utility", "Storage", "Codec")
                .whereLayer("Api").mayOnlyAccessLayers("Network", "Utility", "Storage", "Codec")
                .whereLayer("Handlers").mayOnlyAccessLayers(with(services, "Api", "Utility", "Storage", "Codec"))
                .whereLayer("Group").mayOnlyAccessLayers(with(services, "Utility", "Storage", "Codec"))
                .whereLayer("Cluster").mayOnlyAccessLayers(with(services, "Network", "Utility", "Storage", "Codec"))
                .whereLayer("Metadata").mayOnlyAccessLayers(with(services, "Utility", "Storage", "Codec"))
                .whereLayer("Partition").mayOnlyAccessLayers(with(services, "Utility", "Storage", "Codec"))
                .whereLayer("Utility").mayOnlyAccessLayers("Storage", "Codec")
                .whereLayer("Storage").mayOnlyAccessLayers("Codec")
                .whereLayer("Codec").mayNotAccessAnyLayer();

        assertMatchesAllowlist("broker layers depend only downwards", "LAYER_ALLOWED",
                dependencyViolations(rule), LAYER_ALLOWED);
    }

    @Test
    void brokerSubPackagesShouldBeFreeOfCycles() {
        // Given the tolerated back edges
        SliceRule rule = slices().matching(BROKER + ".(*)..").should().beFreeOfCycles();
        for (String entry : CYCLE_BACK_EDGES_ALLOWED) {
            String[] edge = entry.split(" -> ");
            rule = rule.ignoreDependency(outermostClassIs(edge[0]), outermostClassIs(edge[1]));
        }

        // When the remaining dependencies are checked, Then they form no cycle
        EvaluationResult result = rule.evaluate(classes);
        assertFalse(result.hasViolation(), () -> "Rule 'broker sub-packages are free of cycles' is broken. "
                + "Break the new cycle (do not add to CYCLE_BACK_EDGES_ALLOWED unless the team agrees):\n"
                + result.getFailureReport());

        // And every tolerated back edge still exists and still closes a cycle
        Set<String> edges = brokerDependencyEdges();
        Map<String, Set<String>> packageGraph = new HashMap<>();
        for (String edge : edges) {
            String[] e = edge.split(" -> ");
            packageGraph.computeIfAbsent(subPackage(e[0]), k -> new HashSet<>()).add(subPackage(e[1]));
        }
        Set<String> stillCycles = CYCLE_BACK_EDGES_ALLOWED.stream()
                .filter(edges::contains)
                .filter(entry -> {
                    String[] e = entry.split(" -> ");
                    return reaches(packageGraph, subPackage(e[1]), subPackage(e[0]));
                })
                .collect(Collectors.toSet());
        assertMatchesAllowlist("broker sub-packages are free of cycles", "CYCLE_BACK_EDGES_ALLOWED", stillCycles,
                CYCLE_BACK_EDGES_ALLOWED);
    }

    @Test
    void mainSourceFilesShouldStayUnderTheSizeLimit() throws IOException {
        // Given the hand-written main sources of every module
        Path root = repositoryRoot();
        Set<String> oversized = new TreeSet<>();
        for (Path file : mainSources(root)) {
            // When we count their lines
            if (lineCount(file) > MAX_LINES) {
                oversized.add(root.relativize(file).toString().replace('\\', '/'));
            }
        }

        // Then only the allowlisted ones are above the limit, and all of those still are
        assertMatchesAllowlist("main source files have at most " + MAX_LINES + " lines", "OVERSIZED_FILES_ALLOWED",
                oversized, OVERSIZED_FILES_ALLOWED);
    }

    // ---------------------------------------------------------------------------------------------------

    private static void assertMatchesAllowlist(String rule, String allowlistName, Set<String> violations,
                                               Set<String> allowed) {
        Set<String> unexpected = new TreeSet<>(violations);
        unexpected.removeAll(allowed);
        Set<String> stale = new TreeSet<>(allowed);
        stale.removeAll(violations);
        if (unexpected.isEmpty() && stale.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("Rule '").append(rule).append("':");
        if (!unexpected.isEmpty()) {
            message.append("\n").append(unexpected.size()).append(" new violation(s); fix the code (add to ")
                    .append(allowlistName).append(" only if the team agrees):");
            unexpected.forEach(v -> message.append("\n    \"").append(v).append("\","));
        }
        if (!stale.isEmpty()) {
            message.append("\n").append(stale.size()).append(" stale entr(ies) in ").append(allowlistName)
                    .append(": the violation is gone, delete the entry:");
            stale.forEach(v -> message.append("\n    \"").append(v).append("\","));
        }
        fail(message.toString());
    }

    /** The violations of a dependency rule, as {@code "origin -> target"} of outermost class names. */
    private static Set<String> dependencyViolations(ArchRule rule) {
        Set<String> violations = new TreeSet<>();
        EvaluationResult result = rule.evaluate(classes);
        result.handleViolations((ViolationHandler<Dependency>) (dependencies, message) -> dependencies.forEach(
                d -> violations.add(edge(d))));
        if (result.hasViolation() && violations.isEmpty()) {
            fail("violations that are not dependencies:\n" + result.getFailureReport());
        }
        return violations;
    }

    private static String edge(Dependency dependency) {
        return outermost(dependency.getOriginClass().getName()) + " -> "
                + outermost(dependency.getTargetClass().getName());
    }

    private static String outermost(String className) {
        int dollar = className.indexOf('$');
        return dollar < 0 ? className : className.substring(0, dollar);
    }

    private static DescribedPredicate<JavaClass> outermostClassIs(String name) {
        return DescribedPredicate.describe("outermost class " + name, c -> outermost(c.getName()).equals(name));
    }

    /** All dependencies between different broker sub-packages, as outermost-class edges. */
    private static Set<String> brokerDependencyEdges() {
        Set<String> edges = new HashSet<>();
        for (JavaClass c : classes) {
            Optional<String> from = subPackageOf(c.getName());
            if (from.isEmpty()) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                Optional<String> to = subPackageOf(d.getTargetClass().getName());
                if (to.isPresent() && !to.equals(from)) {
                    edges.add(edge(d));
                }
            }
        }
        return edges;
    }

    /** {@code io.skua.broker.cluster.sub.X -> cluster}; empty for classes outside a broker sub-package. */
    private static Optional<String> subPackageOf(String className) {
        String prefix = BROKER + ".";
        if (!className.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = className.substring(prefix.length());
        int dot = rest.indexOf('.');
        return dot < 0 ? Optional.empty() : Optional.of(rest.substring(0, dot));
    }

    private static String subPackage(String className) {
        return subPackageOf(className).orElseThrow();
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String to) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(Set.of(from));
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                todo.addAll(graph.getOrDefault(next, Set.of()));
            }
        }
        return false;
    }

    private static String[] with(String[] layers, String... more) {
        return Stream.concat(Stream.of(layers), Stream.of(more)).toArray(String[]::new);
    }

    /** The directory above this module that holds the root pom and the module directories. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("protocol-codec"))
                    && Files.isDirectory(dir.resolve("storage")) && Files.isDirectory(dir.resolve("broker"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * The {@code .java} files under every {@code src/main/java} below {@code dir}; build output ({@code target/})
     * and hidden directories are skipped, so generated sources never count.
     */
    private static List<Path> mainSources(Path dir) throws IOException {
        List<Path> sources = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                String name = d.getFileName() == null ? "" : d.getFileName().toString();
                boolean skip = !d.equals(dir) && (name.equals("target") || name.startsWith("."));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.toString().endsWith(".java")
                        && file.toString().replace('\\', '/').contains("/src/main/java/")) {
                    sources.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        sources.sort(null);
        return sources;
    }

    /** {@code .../src/main/java/io/skua/broker/Main.java -> io.skua.broker.Main}. */
    private static String className(Path source) {
        String path = source.toString().replace('\\', '/');
        String relative = path.substring(path.lastIndexOf("/src/main/java/") + "/src/main/java/".length());
        return relative.substring(0, relative.length() - ".java".length()).replace('/', '.');
    }

    private static boolean isVertxInternalOrNetty(String imported) {
        return Stream.of(VERTX_INTERNALS_AND_NETTY)
                .map(pattern -> pattern.substring(0, pattern.length() - 1)) // "io.netty.." -> "io.netty."
                .anyMatch(imported::startsWith);
    }

    /** The outermost class an import names: the first segment in upper case ends it; wildcards stay. */
    private static String importedClass(String imported, boolean isStatic) {
        String[] segments = imported.split("\\.");
        StringBuilder name = new StringBuilder();
        for (String segment : segments) {
            name.append(name.length() == 0 ? "" : ".").append(segment);
            if (Character.isUpperCase(segment.charAt(0))) {
                return name.toString();
            }
        }
        return isStatic ? imported.substring(0, imported.lastIndexOf('.')) : imported;
    }

    private static long lineCount(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            long lines = 0;
            for (byte b : bytes) {
                if (b == '\n') {
                    lines++;
                }
            }
            return bytes.length > 0 && bytes[bytes.length - 1] != '\n' ? lines + 1 : lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
