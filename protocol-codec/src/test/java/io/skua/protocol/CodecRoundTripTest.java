package io.skua.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.skua.protocol.SpecModel.Spec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every spec (requests, responses, headers, data) at every valid version: random Skua messages are written
 * by Skua, read and re-written by kafka-clients' generated classes, then read and re-written by Skua, and
 * the three byte arrays must be identical.
 */
class CodecRoundTripTest {
    private static final int MESSAGES_PER_VERSION = 25;
    /** "Request:3" / "Response:3" per api key, recorded when both directions matched. */
    private static final Map<Integer, Set<String>> PASSED = new ConcurrentHashMap<>();
    private static final Set<String> SPEC_VERSIONS_PASSED = ConcurrentHashMap.newKeySet();

    @TestFactory
    Stream<DynamicTest> shouldEncodeByteIdenticallyToKafkaForEverySpecAndVersion() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Spec spec : SpecModel.load()) {
            if (spec.validVersions().isEmpty()) {
                continue; // removed APIs (validVersions "none"): no class on either side
            }
            for (int v = spec.validVersions().lo(); v <= spec.validVersions().hi(); v++) {
                short version = (short) v;
                tests.add(DynamicTest.dynamicTest(spec.name() + " v" + version, () -> roundTrip(spec, version)));
            }
        }
        return tests.stream();
    }

    private void roundTrip(Spec spec, short version) throws Exception {
        for (int i = 0; i < MESSAGES_PER_VERSION; i++) {
            long seed = spec.name().hashCode() * 31L + version * 1000L + i;
            ApiMessage original = new RandomMessages(seed).create(spec, version);

            // Skua -> bytes -> Kafka -> bytes
            byte[] skuaBytes = KafkaCodec.skuaBytes(original, version);
            Message kafka = KafkaCodec.read(spec, skuaBytes, version);
            byte[] kafkaBytes = KafkaCodec.write(kafka, version);
            assertArrayEquals(skuaBytes, kafkaBytes, () -> spec.name() + " v" + version + " seed " + seed
                    + "\nskua:  " + HexFormat.of().formatHex(skuaBytes)
                    + "\nkafka: " + HexFormat.of().formatHex(kafkaBytes) + "\n" + original);

            // Kafka bytes -> Skua -> bytes
            ApiMessage reread = (ApiMessage) original.getClass().getConstructor().newInstance();
            KafkaCodec.skuaRead(reread, kafkaBytes, version);
            byte[] again = KafkaCodec.skuaBytes(reread, version);
            assertArrayEquals(kafkaBytes, again, () -> spec.name() + " v" + version + " seed " + seed);
            assertEquals(again.length, reread.size(version));
            assertEquals(original, reread, () -> spec.name() + " v" + version + " seed " + seed);
        }
        SPEC_VERSIONS_PASSED.add(spec.name() + ":" + version);
        if (spec.apiKey() != null && (spec.type().equals("request") || spec.type().equals("response"))) {
            PASSED.computeIfAbsent(spec.apiKey(), k -> ConcurrentHashMap.newKeySet()).add(spec.type() + ":" + version);
        }
    }

    @AfterAll
    static void reportCoverage() {
        int pairs = 0;
        List<String> missing = new ArrayList<>();
        for (ApiKey api : ApiKey.values()) {
            Set<String> passed = PASSED.getOrDefault((int) api.id(), Set.of());
            for (int v = api.lowestVersion(); v <= api.highestVersion(); v++) {
                if (passed.contains("request:" + v) && passed.contains("response:" + v)) {
                    pairs++;
                } else {
                    missing.add(api + " v" + v);
                }
            }
        }
        System.out.println("codec round-trip covered " + pairs + " (api, version) pairs (request and response) across "
                + ApiKey.values().length + " APIs, and " + SPEC_VERSIONS_PASSED.size()
                + " (spec, version) pairs including headers and data specs");
        assertFalse(pairs == 0, "nothing covered");
        assertEquals(List.of(), missing, "(api, version) pairs not covered");
    }
}
