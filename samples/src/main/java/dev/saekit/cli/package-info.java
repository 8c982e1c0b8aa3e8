/**
 * The {@code saekit} command-line program: {@link dev.saekit.cli.SaekitCli} and one class per
 * subcommand ({@link dev.saekit.cli.TrainCommand}, {@link dev.saekit.cli.ExtractOcrCommand},
 * {@link dev.saekit.cli.OnnxInfoCommand}), with small helpers that load data, report concepts and
 * write a run's files. Built with picocli.
 */
package dev.saekit.cli;
