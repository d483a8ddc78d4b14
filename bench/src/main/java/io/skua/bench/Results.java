package io.skua.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collected measurements: metric -> broker -> one value per repetition. */
final class Results {

  /** One row; {@code samplesPerRep} is how many values each repetition adds (consume passes). */
  record Metric(String workload, String name, String unit, boolean higherIsBetter, int samplesPerRep) {}

  final Map<String, Metric> metrics = new LinkedHashMap<>();
  final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
  final List<String> errors = new ArrayList<>();

  /** Declares a metric (fixes the row order of the table) without recording anything. */
  void define(String key, String workload, String name, String unit, boolean higherIsBetter) {
    define(key, workload, name, unit, higherIsBetter, 1);
  }

  void define(String key, String workload, String name, String unit, boolean higherIsBetter, int samplesPerRep) {
    metrics.putIfAbsent(key, new Metric(workload, name, unit, higherIsBetter, samplesPerRep));
    values.putIfAbsent(key, new LinkedHashMap<>());
  }

  void add(String key, String broker, double v) {
    if (!metrics.containsKey(key)) {
      throw new IllegalStateException("undefined metric " + key);
    }
    if (Double.isNaN(v)) {
      return;
    }
    values.get(key).computeIfAbsent(broker, b -> new ArrayList<>()).add(v);
  }

  List<Double> get(String key, String broker) {
    return values.getOrDefault(key, Map.of()).getOrDefault(broker, List.of());
  }

  void warn(String msg) {
    errors.add("warning: " + msg);
    System.err.println("[bench] WARNING " + msg);
  }

  void error(String msg) {
    errors.add(msg);
    System.err.println("[bench] ERROR " + msg);
  }

  static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }

  static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
