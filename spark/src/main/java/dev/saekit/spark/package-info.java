/**
 * saekit on Apache Spark: the {@code saekit spark} commands ({@link dev.saekit.spark.SparkMain}),
 * which take the single-machine commands' options and write their outputs, with the work spread
 * over a cluster's executors. Data-parallel training runs as one barrier stage whose tasks meet once
 * through {@code allGather} and then sum their gradients every step over their own sockets
 * ({@link dev.saekit.parallel.SocketRing}); no other cluster machinery is saekit's own. The engine
 * stays free of Spark: this module only plans the work, ships it and collects the results.
 */
package dev.saekit.spark;
