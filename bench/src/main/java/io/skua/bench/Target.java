package io.skua.bench;

/** What a workload tool is pointed at: one broker or a cluster of them. */
interface Target {
  /** {@code skua} or {@code kafka}: the column the results go to. */
  String name();

  /** {@code bootstrap.servers} for the clients. */
  String bootstrap();
}
